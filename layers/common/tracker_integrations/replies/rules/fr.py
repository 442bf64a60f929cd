"""French phrase cues: interest (POSITIVE) and refusal (NEGATIVE), accent-free and lower case."""

from __future__ import annotations

from tracker_integrations.replies.rules import MEDIUM, STRONG, WEAK, Cue

POSITIVE: tuple[Cue, ...] = (
    Cue(
        "fr_rotation",
        STRONG,
        (
            r"\b(?:en|dans (?:la|notre)|sur (?:la|notre)) (?:playlist|rotation|programmation)\b",
            r"\ba l'antenne\b",
            r"\ben radio des\b",
        ),
    ),
    Cue(
        "fr_play",
        STRONG,
        (
            (
                r"\b(?:on|nous|je) (?:le |la |les |l')?(?:va |vais |allons )?(?:le |la |les |l')?(?:met|"
                r"mets|mettons|mettre|ajoute|ajouter|ajoutons|rajoute|passe|passer|passons|programme|"
                r"programmer|programmons|diffuse|diffuser|diffusons|jouer|joue|playliste|playlister)\b"
            ),
        ),
    ),
    Cue(
        "fr_would_love",
        STRONG,
        (
            (
                r"\b(?:j'aimerais|j'adorerais|je voudrais bien|nous aimerions|on aimerait|ca me ferait "
                r"plaisir de|avec plaisir pour) (?:beaucoup )?(?:le |la |les |l')?(?:diffuser|chroniquer|"
                r"programmer|recevoir|interviewer|inviter|passer|jouer|presenter)"
            ),
        ),
    ),
    Cue(
        "fr_send_media",
        STRONG,
        (
            (
                r"\b(?:envoie|envoyez|envoyer|transmets|transmettez)[- ](?:moi|nous) (?:le |la |les |un |"
                r"une )?(?:wav|fichiers?|mp3|lien|version|kit|dossier de presse|visuels?)"
            ),
        ),
    ),
    Cue(
        "fr_interested",
        MEDIUM,
        (
            r"\binteresse(?:e|s)?\b",
            r"\bpartant(?:e|s)?\b",
        ),
    ),
    Cue(
        "fr_praise",
        WEAK,
        (
            r"\bj'adore\b",
            r"\bca me plait\b",
            r"\bsuper (?:titre|morceau|son)\b",
            r"\btres beau (?:titre|morceau)\b",
            r"\bcoup de coeur\b",
        ),
    ),
)

NEGATIVE: tuple[Cue, ...] = (
    Cue(
        "fr_not_for_us",
        STRONG,
        (
            r"\bpas (?:vraiment |trop )?pour (?:nous|moi|notre (?:antenne|emission|radio))\b",
            (
                r"\bpas (?:dans|en phase avec|adapte a) (?:notre|la|nos) (?:ligne|format|couleur|"
                r"programmation|esthetique)\b"
            ),
        ),
    ),
    Cue(
        "fr_format",
        STRONG,
        (
            r"\bne (?:correspond|colle|convient|rentre|cadre) (?:pas|vraiment pas)\b",
            r"\bne (?:nous )?(?:parle|plait) pas\b",
            r"\bpas notre (?:style|univers|format)\b",
        ),
    ),
    Cue(
        "fr_not_interested",
        STRONG,
        (
            r"\bpas interesse(?:e|s)?\b",
            r"\bpas d'interet\b",
        ),
    ),
    Cue(
        "fr_pass",
        STRONG,
        (
            r"\bpasser (?:notre|mon|son) tour\b",
            r"\bnon merci\b",
            r"\bpas retenu\b",
            (
                r"\bne (?:pourrons|pouvons|pourrai|peux|vais|allons) pas (?:le |la |les |l')?(?:diffuser|"
                r"programmer|jouer|playlister|passer|retenir|chroniquer)\b"
            ),
            (
                r"\bne (?:le |la |les |l')?(?:diffuser|programmer|passer|jouer|playlister|retenir|"
                r"chroniquer)\w* pas\b"
            ),
        ),
    ),
    Cue(
        "fr_unsubscribe",
        STRONG,
        (
            r"\bdesinscri\w*",
            r"\b(?:retirez|retire|supprimez|enlevez)[- ]moi\b",
            r"\bne plus (?:m'|me )?(?:envoyer|ecrire)\b",
            r"\bme retirer de\b",
            r"\barretez de (?:m'|nous )?(?:envoyer|ecrire)\b",
            r"\bne (?:m'|nous )(?:envoyez|ecrivez) plus\b",
            r"\b(?:retirez|supprimez|enlevez|effacez) (?:mon|notre) (?:adresse|contact|e-?mail)\b",
            r"\b(?:supprim|effac)\w* (?:toutes )?(?:mes|nos) (?:donnees|coordonnees)\b",
            r"\bdroit (?:a l'effacement|a l'oubli)\b",
        ),
    ),
    Cue(
        "fr_unfortunately",
        WEAK + 0.5,
        (
            r"\bmalheureusement\b",
            r"\bhelas\b",
        ),
    ),
)
