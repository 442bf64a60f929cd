"""Interest in a human reply, from lexical cues in seven languages (EN, FR, DE, ES, IT, PT, NL).

Only the reply's own text is read (never the quoted pitch). Cues are written accent-free and lower
case, and matched against the folded text. A positive cue preceded closely by a negation ("not
interested", "nicht interessiert", "no me interesa") counts as a negative one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, cast

from tracker_integrations.replies.dates import fold
from tracker_integrations.replies.features import text_features
from tracker_integrations.replies.intent_model import shipped_model

Intent = Literal["interested", "not_interested", "replied", "auto_reply"]

_STRONG = 3.0
_MEDIUM = 2.0
_WEAK = 1.0

_MEDIA = (
    "(?:"
    + "|".join(
        (
            r"wav",
            r"wavs",
            r"mp3s?",
            r"flac",
            r"aiff",
            r"hi-?res",
            r"high-?res",
            r"files?",
            r"download(?: link)?",
            r"link",
            r"stems",
            r"radio edit",
            r"clean (?:edit|version)",
            r"press kit",
            r"epk",
            r"promo",
            r"bio",
            r"artwork",
            r"press shots",
            r"photos",
        )
    )
    + ")"
)


@dataclass(frozen=True, slots=True)
class Cue:
    """One lexical cue: the reason name it reports, its weight, and its alternatives (joined with |)."""

    name: str
    weight: float
    alternatives: tuple[str, ...]

    def compiled(self) -> re.Pattern[str]:
        return re.compile("|".join(self.alternatives))


_POSITIVE: tuple[Cue, ...] = (
    Cue(
        "en_rotation",
        _STRONG,
        (
            (
                r"\b(?:add(?:ed|ing)?|put(?:ting)?|go(?:ing|es)?|slot(?:ted)?) (?:it |this |the track |the "
                r"single |them |him |her )?(?:on|in|into|to) (?:the |our |my |this week'?s )?(?:rotation|"
                r"playlists?|a-?list|b-?list|c-?list|list|schedule)"
            ),
        ),
    ),
    Cue(
        "en_rotation",
        _STRONG,
        (
            r"\b(?:in|on|into) (?:heavy |light |medium |high |power )?rotation\b",
            r"\bplaylisted\b",
        ),
    ),
    Cue(
        "en_play",
        _STRONG,
        (
            (
                r"\b(?:we'?ll|we will|i'?ll|i will|we'?re|i'?m|we are|i am|going to|gonna|happy to|glad to|"
                r"keen to) (?:definitely |certainly |gladly |be )?(?:play(?:ing)?|spin(?:ning)?|"
                r"support(?:ing)?|add(?:ing)?|feature|featuring|include|including|premiere|premiering|"
                r"review(?:ing)?|cover(?:ing)?|air(?:ing)?) (?:it|this|that|the (?:track|single|song|record|"
                r"ep|album)|them|him|her)\b"
            ),
        ),
    ),
    Cue(
        "en_play",
        _STRONG,
        (
            r"\bgive (?:it|this|the track) (?:a |some )?(?:spins?|plays?|airplay)",
            r"\bgiving it (?:some )?spins\b",
            r"\bplayed it (?:on|last|this)\b",
        ),
    ),
    Cue(
        "en_would_love",
        _STRONG,
        (
            (
                r"\b(?:i'?d|i would|we'?d|we would) (?:really )?love to (?:play|feature|include|premiere|"
                r"review|cover|interview|have|chat|get|add|support|spin|book|host)"
            ),
        ),
    ),
    Cue(
        "en_send_media",
        _STRONG,
        (
            r"\b(?:send|share|forward|pass) (?:me|us|over|along)(?: (?:over|along))? (?:the |a |your |some )?"
            + _MEDIA
            + r"",
            r"\b(?:can|could) (?:you|i|we) (?:get|have|grab) (?:the |a )?" + _MEDIA + r"",
        ),
    ),
    Cue(
        "en_count_in",
        _STRONG,
        (
            r"\bcount (?:me|us) in\b",
            r"\bwe'?re in\b",
            r"\bi'?m in\b",
            r"\byes please\b",
        ),
    ),
    Cue(
        "en_interested",
        _MEDIUM,
        (
            r"\b(?:very |really |definitely |super |quite )?interested\b",
            r"\bkeen\b",
        ),
    ),
    Cue(
        "en_slot",
        _MEDIUM,
        (
            (
                r"\b(?:on|for) (?:the |my |our )?(?:next|this week'?s?|friday'?s?|saturday'?s?|sunday'?s?|"
                r"monday'?s?|tonight'?s?) (?:show|playlist|episode|programme|program|broadcast|edition)"
            ),
            r"\b(?:interview|session|feature|premiere) slot\b",
        ),
    ),
    Cue(
        "en_praise",
        _WEAK,
        (
            (
                r"\b(?:love|loving|loved|really like|dig|digging) (?:this|it|the (?:track|song|single|"
                r"record|tune|ep|album))\b"
            ),
            r"\bgreat (?:track|song|tune|single|record)\b",
            r"\bbanger\b",
            r"\bbig tune\b",
            r"\bsounds (?:great|amazing|fantastic|brilliant)\b",
        ),
    ),
    Cue(
        "fr_rotation",
        _STRONG,
        (
            r"\b(?:en|dans (?:la|notre)|sur (?:la|notre)) (?:playlist|rotation|programmation)\b",
            r"\ba l'antenne\b",
            r"\ben radio des\b",
        ),
    ),
    Cue(
        "fr_play",
        _STRONG,
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
        _STRONG,
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
        _STRONG,
        (
            (
                r"\b(?:envoie|envoyez|envoyer|transmets|transmettez)[- ](?:moi|nous) (?:le |la |les |un |"
                r"une )?(?:wav|fichiers?|mp3|lien|version|kit|dossier de presse|visuels?)"
            ),
        ),
    ),
    Cue(
        "fr_interested",
        _MEDIUM,
        (
            r"\binteresse(?:e|s)?\b",
            r"\bpartant(?:e|s)?\b",
        ),
    ),
    Cue(
        "fr_praise",
        _WEAK,
        (
            r"\bj'adore\b",
            r"\bca me plait\b",
            r"\bsuper (?:titre|morceau|son)\b",
            r"\btres beau (?:titre|morceau)\b",
            r"\bcoup de coeur\b",
        ),
    ),
    Cue(
        "de_rotation",
        _STRONG,
        (
            (
                r"\b(?:in (?:die |unsere )?rotation|auf (?:die |unsere )?playlist|in (?:die |unsere "
                r")?playlist|ins programm)\b"
            ),
        ),
    ),
    Cue(
        "de_play",
        _STRONG,
        (
            (
                r"\bwir (?:spielen|nehmen|bringen|senden|featuren) (?:das|den|die|es|ihn|sie|den song|den "
                r"track|die single)\b"
            ),
            r"\b(?:lauft|laeuft|wird) (?:ab .{0,20} )?(?:bei uns|gespielt|gesendet)\b",
        ),
    ),
    Cue(
        "de_would_love",
        _STRONG,
        (
            (
                r"\b(?:wurde|wuerde|wurden|wuerden|mochte|moechte|mochten|moechten) (?:das|den song|den "
                r"track|es|ihn|sie)? ?(?:sehr )?gerne? (?:spielen|vorstellen|featuren|besprechen|bringen|"
                r"interviewen|einladen)\b"
            ),
            r"\bgerne? (?:spielen|vorstellen|featuren|besprechen|bringen)\b",
        ),
    ),
    Cue(
        "de_send_media",
        _STRONG,
        (
            (
                r"\b(?:schick|schicke|schicken sie|sende|senden sie|schickt)(?: mir| uns)? (?:bitte |gerne "
                r")?(?:mal )?(?:die |das |den |eine )?(?:wav|datei|dateien|mp3|link|download|pressemappe|"
                r"epk)"
            ),
        ),
    ),
    Cue(
        "de_interested",
        _MEDIUM,
        (
            r"\binteressiert\b",
            r"\binteresse\b",
            r"\bsind dabei\b",
            r"\bbin dabei\b",
        ),
    ),
    Cue(
        "de_praise",
        _WEAK,
        (
            r"\bgefallt (?:mir|uns)\b",
            r"\bgefaellt (?:mir|uns)\b",
            r"\btoller? (?:song|track|titel)\b",
            r"\bsuper (?:song|track|titel)\b",
            r"\bklasse\b",
            r"\bsehr schon\b",
        ),
    ),
    Cue(
        "es_play",
        _STRONG,
        (
            (
                r"\blo (?:pasaremos|pondremos|vamos a (?:pasar|poner|programar|incluir|radiar)|programamos|"
                r"programaremos|incluimos|incluiremos|ponemos|pasamos|radiamos|sonara)\b"
            ),
        ),
    ),
    Cue(
        "es_rotation",
        _STRONG,
        (
            r"\ben antena\b",
            r"\ben (?:la |nuestra )?rotacion\b",
            r"\b(?:a|en) (?:la |nuestra )?(?:playlist|lista|programacion)\b",
        ),
    ),
    Cue(
        "es_would_love",
        _STRONG,
        (
            (
                r"\b(?:me|nos) (?:encantaria|gustaria)(?: mucho)? (?:pasarlo|ponerlo|incluirlo|programarlo|"
                r"entrevistar|resenarlo|presentarlo|tenerlo|hablar)"
            ),
        ),
    ),
    Cue(
        "es_send_media",
        _STRONG,
        (
            (
                r"\b(?:enviame|mandame|envianos|mandanos|(?:puedes|podrias|puede) (?:enviarme|mandarme|"
                r"enviarnos|mandarnos)) (?:el |los |la |un )?(?:wav|archivos?|mp3|enlace|link|dossier|kit)"
            ),
        ),
    ),
    Cue(
        "es_interested",
        _MEDIUM,
        (
            r"\b(?:me|nos) interesa\b",
            r"\binteresad[oa]s?\b",
            r"\bcuenta con (?:nosotros|ello|migo)\b",
        ),
    ),
    Cue(
        "es_praise",
        _WEAK,
        (
            r"\b(?:me|nos) (?:encanta|gusta mucho)\b",
            r"\btemazo\b",
            r"\bgran (?:tema|cancion)\b",
            r"\bque buen tema\b",
        ),
    ),
    Cue(
        "it_play",
        _STRONG,
        (
            (
                r"\blo (?:mettiamo|metteremo|inseriamo|inseriremo|passiamo|passeremo|suoniamo|suoneremo|"
                r"trasmettiamo|trasmetteremo|programmiamo|programmeremo)\b"
            ),
        ),
    ),
    Cue(
        "it_rotation",
        _STRONG,
        (
            r"\bin (?:rotazione|playlist|programmazione)\b",
            r"\bin onda\b",
        ),
    ),
    Cue(
        "it_would_love",
        _STRONG,
        (
            (
                r"\b(?:mi|ci) piacerebbe (?:molto )?(?:passarlo|recensirlo|intervistar\w*|inserirlo|"
                r"presentarlo|suonarlo|trasmetterlo|averlo|ospitar\w*)"
            ),
        ),
    ),
    Cue(
        "it_send_media",
        _STRONG,
        (
            (
                r"\b(?:mandami|inviami|mandateci|inviateci|mandatemi|inviatemi|(?:puoi|potete|potresti) "
                r"(?:mandarmi|inviarmi|mandarci|inviarci)) (?:il |i |un |la )?(?:wav|file|mp3|link|cartella "
                r"stampa|epk)"
            ),
        ),
    ),
    Cue(
        "it_interested",
        _MEDIUM,
        (
            r"\b(?:mi|ci) interessa\b",
            r"\binteressat[oaie]\b",
        ),
    ),
    Cue(
        "it_praise",
        _WEAK,
        (
            r"\b(?:mi|ci) piace (?:molto|tanto|un sacco)\b",
            r"\bbellissim[oa]\b",
            r"\bpezzone\b",
            r"\bgran pezzo\b",
        ),
    ),
    Cue(
        "pt_play",
        _STRONG,
        (
            (
                r"\b(?:vamos|vou|iremos|irei) (?:tocar|incluir|colocar|por|passar|programar|divulgar|tocar "
                r"a faixa)\b"
            ),
        ),
    ),
    Cue(
        "pt_rotation",
        _STRONG,
        (r"\b(?:em|na|para a|na nossa) (?:rotacao|playlist|programacao)\b",),
    ),
    Cue(
        "pt_would_love",
        _STRONG,
        (
            (
                r"\b(?:adoraria|adorariamos|gostaria muito de|gostariamos muito de|gostariamos de) (?:tocar|"
                r"entrevistar|divulgar|incluir|resenhar|receber|apresentar)"
            ),
        ),
    ),
    Cue(
        "pt_send_media",
        _STRONG,
        (
            (
                r"\b(?:envia|manda|envie|mande|enviar|mandar)(?:-me|-nos| me| nos| pra mim| para mim)? (?:o "
                r"|os |a |um )?(?:wav|arquivos?|ficheiros?|mp3|link|press ?kit|release)"
            ),
        ),
    ),
    Cue(
        "pt_interested",
        _MEDIUM,
        (
            r"\b(?:tenho|temos) interesse\b",
            r"\b(?:me|nos) interessa\b",
            r"\binteressad[oa]s?\b",
        ),
    ),
    Cue(
        "pt_praise",
        _WEAK,
        (
            r"\badorei\b",
            r"\bgostei muito\b",
            r"\bcurti (?:muito|demais)\b",
            r"\bque som\b",
            r"\bmusica linda\b",
        ),
    ),
    Cue(
        "nl_play",
        _STRONG,
        (
            r"\bwe (?:draaien|spelen|zetten|nemen) (?:het|hem|'m|deze|de track|het nummer|de single)\b",
            (
                r"\b(?:ik|we) (?:wil|willen|ga|gaan|zal|zullen) (?:het|hem|'m|deze|de track|het nummer)? "
                r"?(?:graag )?(?:draaien|spelen|opnemen|bespreken|inplannen)\b"
            ),
        ),
    ),
    Cue(
        "nl_rotation",
        _STRONG,
        (r"\b(?:in|op) (?:de |onze )?(?:rotatie|playlist|playlijst|draailijst)\b",),
    ),
    Cue(
        "nl_send_media",
        _STRONG,
        (
            (
                r"\bstuur (?:me|mij|ons) (?:even |graag )?(?:de |het |een )?(?:wav|bestand|bestanden|mp3|"
                r"(?:download)?link|persmap)"
            ),
        ),
    ),
    Cue(
        "nl_interested",
        _MEDIUM,
        (
            r"\b(?:heb|hebben) (?:wel )?interesse\b",
            r"\bgeinteresseerd\b",
        ),
    ),
    Cue(
        "nl_praise",
        _WEAK,
        (
            r"\bvind (?:het|hem|ik) (?:erg |heel |echt )?(?:mooi|goed|tof|vet|sterk)\b",
            r"\bmooie (?:track|plaat|single)\b",
            r"\bdikke plaat\b",
        ),
    ),
)

_NEGATIVE: tuple[Cue, ...] = (
    Cue(
        "en_not_for_us",
        _STRONG,
        (
            (
                r"\bnot (?:really |quite |one |something )?(?:for (?:us|me|the show|our (?:show|station|"
                r"listeners|audience|playlist))|(?:right|suitable) for (?:us|me|the show|our \w+)|a (?:good "
                r"|great )?fit|what (?:we'?re|i'?m) looking for|our (?:style|sound|thing|cup of tea)|for "
                r"our (?:listeners|audience|format))\b"
            ),
            r"\b(?:isn'?t|wasn'?t|won'?t be) (?:quite )?(?:for us|right for us|a fit|a good fit)\b",
        ),
    ),
    Cue(
        "en_not_interested",
        _STRONG,
        (
            r"\bnot interested\b",
            r"\bno interest\b",
            r"\bnot for me\b",
        ),
    ),
    Cue(
        "en_pass",
        _STRONG,
        (
            (
                r"\b(?:pass(?:ing)? on (?:this|it|that|this one)|i'?ll pass|we'?ll pass|going to pass|give "
                r"(?:this|it) (?:one )?a miss|sit this one out|not this time)\b"
            ),
        ),
    ),
    Cue(
        "en_format",
        _STRONG,
        (
            (
                r"\b(?:doesn'?t|does not|don'?t|do not|wouldn'?t|won'?t) (?:really |quite )?(?:fit|suit|"
                r"work for|sit with|match) (?:our|the|my)\b"
            ),
            r"\b(?:outside|out of) (?:our|the|my) (?:format|remit|genre|brief)\b",
        ),
    ),
    Cue(
        "en_decline",
        _STRONG,
        (
            (
                r"\b(?:won'?t|will not|can'?t|cannot|unable to|not able to|not going to|don'?t|do not) "
                r"(?:be )?(?:play(?:ing)?|add(?:ing)?|support(?:ing)?|feature|featuring|use|using|include|"
                r"including|cover(?:ing)?|review(?:ing)?) (?:it|this|that|the (?:track|single|song|"
                r"record))\b"
            ),
            r"\bno thanks\b",
            r"\bno thank you\b",
            r"\bdecline\b",
        ),
    ),
    Cue(
        "en_unsubscribe",
        _STRONG,
        (
            r"\bunsubscribe\b",
            r"\b(?:remove|take) (?:me|us|my (?:e-?mail|address)) (?:off|from)\b",
            r"\bstop (?:sending|emailing)\b",
            r"\bdon'?t (?:send|email) (?:me|us)\b",
        ),
    ),
    Cue(
        "en_unfortunately",
        _WEAK + 0.5,
        (
            r"\bunfortunately\b",
            r"\bsadly\b",
            r"\bafraid not\b",
        ),
    ),
    Cue(
        "fr_not_for_us",
        _STRONG,
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
        _STRONG,
        (
            r"\bne (?:correspond|colle|convient|rentre|cadre) (?:pas|vraiment pas)\b",
            r"\bne (?:nous )?(?:parle|plait) pas\b",
            r"\bpas notre (?:style|univers|format)\b",
        ),
    ),
    Cue(
        "fr_not_interested",
        _STRONG,
        (
            r"\bpas interesse(?:e|s)?\b",
            r"\bpas d'interet\b",
        ),
    ),
    Cue(
        "fr_pass",
        _STRONG,
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
        _STRONG,
        (
            r"\bdesinscri\w*",
            r"\b(?:retirez|retire|supprimez|enlevez)[- ]moi\b",
            r"\bne plus (?:m'|me )?(?:envoyer|ecrire)\b",
            r"\bme retirer de\b",
        ),
    ),
    Cue(
        "fr_unfortunately",
        _WEAK + 0.5,
        (
            r"\bmalheureusement\b",
            r"\bhelas\b",
        ),
    ),
    Cue(
        "de_format",
        _STRONG,
        (
            r"\bpasst (?:leider )?(?:nicht|nicht so)\b",
            r"\bpassen (?:leider )?(?:nicht|diesmal)\b",
            r"\bnicht (?:ganz )?(?:unser|unsere|passend|das richtige|fur uns|fuer uns)\b",
            r"\bnichts fur (?:uns|unser\w*)\b",
        ),
    ),
    Cue(
        "de_not_interested",
        _STRONG,
        (
            r"\bkein (?:interesse|bedarf)\b",
            r"\bnicht interessiert\b",
        ),
    ),
    Cue(
        "de_decline",
        _STRONG,
        (
            (
                r"\bwir (?:spielen|nehmen|bringen|werden) (?:das|den|es|ihn|sie|den song|den track)? "
                r"?(?:leider )?nicht\b"
            ),
            r"\bleider (?:keinen|kein) platz\b",
            r"\bmussen (?:leider )?absagen\b",
            r"\babsage\b",
            r"\bnein danke\b",
        ),
    ),
    Cue(
        "de_unsubscribe",
        _STRONG,
        (
            (
                r"\b(?:austragen|abmelden|vom verteiler|aus dem verteiler|aus ihrem verteiler|aus eurem "
                r"verteiler|keine (?:weiteren )?(?:mails|e-mails))\b"
            ),
        ),
    ),
    Cue(
        "de_unfortunately",
        _WEAK + 0.5,
        (r"\bleider\b",),
    ),
    Cue(
        "es_format",
        _STRONG,
        (
            r"\bno (?:nos )?encaja\b",
            r"\bno es (?:para nosotros|lo nuestro|para mi|nuestro estilo)\b",
            r"\bno entra en (?:nuestra|la) (?:linea|programacion|formato)\b",
            r"\bno (?:me|nos) (?:convence|cuadra)\b",
        ),
    ),
    Cue(
        "es_not_interested",
        _STRONG,
        (
            r"\bno (?:me|nos) interesa\b",
            r"\bsin interes\b",
        ),
    ),
    Cue(
        "es_decline",
        _STRONG,
        (
            (
                r"\bno (?:lo )?(?:podemos|vamos a|lo vamos a|podremos|pasaremos|pondremos|incluiremos) "
                r"?(?:pasar|programar|poner|incluir|radiar)?\b(?! problema)"
            ),
            r"\bvamos a pasar\b",
            r"\bpaso de\b",
            r"\bno gracias\b",
        ),
    ),
    Cue(
        "es_unsubscribe",
        _STRONG,
        (
            r"\b(?:darme|dame|denme) de baja\b",
            r"\b(?:quitar|sacar|eliminar|borrar)(?:me)? de (?:la|vuestra|su|tu) lista\b",
            r"\bno (?:me )?(?:envies|envieis|manden|mandeis) mas\b",
        ),
    ),
    Cue(
        "es_unfortunately",
        _WEAK + 0.5,
        (
            r"\blamentablemente\b",
            r"\bdesafortunadamente\b",
            r"\bpor desgracia\b",
        ),
    ),
    Cue(
        "it_format",
        _STRONG,
        (
            r"\bnon fa per (?:noi|me)\b",
            r"\bnon (?:e|rientra) (?:nel|in linea con il|adatto al) (?:nostro|nostra)\b",
            r"\bnon (?:si adatta|e in linea)\b",
            r"\bnon e il nostro (?:genere|formato|stile)\b",
        ),
    ),
    Cue(
        "it_not_interested",
        _STRONG,
        (
            r"\bnon (?:mi|ci) interessa\b",
            r"\bnon (?:sono|siamo) interessat[oi]\b",
        ),
    ),
    Cue(
        "it_decline",
        _STRONG,
        (
            (
                r"\bnon (?:lo |la )?(?:possiamo|potremo|passeremo|mettiamo|inseriamo|inseriremo|"
                r"trasmetteremo|suoneremo)\b"
            ),
            r"\bpassiamo (?:la mano|oltre)\b",
            r"\bno grazie\b",
        ),
    ),
    Cue(
        "it_unsubscribe",
        _STRONG,
        (
            r"\bcancellami\b",
            r"\bcancellarmi\b",
            r"\brimuovermi\b",
            r"\brimuovetemi\b",
            r"\btoglietemi\b",
            r"\bdisiscriv\w*",
        ),
    ),
    Cue(
        "it_unfortunately",
        _WEAK + 0.5,
        (r"\bpurtroppo\b",),
    ),
    Cue(
        "pt_format",
        _STRONG,
        (
            r"\bnao se encaixa\b",
            r"\bnao (?:e|eh) (?:para nos|para mim|o nosso (?:estilo|perfil|formato))\b",
            r"\bnao combina com\b",
            r"\bfora do (?:nosso )?(?:perfil|formato)\b",
        ),
    ),
    Cue(
        "pt_not_interested",
        _STRONG,
        (
            r"\bnao (?:me|nos) interessa\b",
            r"\bsem interesse\b",
            r"\bnao (?:tenho|temos) interesse\b",
        ),
    ),
    Cue(
        "pt_decline",
        _STRONG,
        (
            (
                r"\bnao (?:vamos|podemos|vou|iremos|poderemos) (?:tocar|incluir|usar|passar|divulgar|"
                r"colocar)\b"
            ),
            r"\bvamos passar (?:desta|dessa) vez\b",
            r"\bnao,? obrigad[oa]\b",
        ),
    ),
    Cue(
        "pt_unsubscribe",
        _STRONG,
        (
            r"\bdescadastr\w*",
            r"\b(?:remover|tirar|retirar)(?:-me)? da (?:lista|mailing)\b",
            r"\bme (?:remova|remove|tire)\b",
            r"\bremova-me\b",
        ),
    ),
    Cue(
        "pt_unfortunately",
        _WEAK + 0.5,
        (r"\binfelizmente\b",),
    ),
    Cue(
        "nl_format",
        _STRONG,
        (
            r"\bpast (?:helaas )?niet\b",
            r"\b(?:niets|niks|niet) voor ons\b",
            r"\bsluit (?:helaas )?niet aan\b",
            r"\bvalt (?:helaas )?buiten\b",
        ),
    ),
    Cue(
        "nl_not_interested",
        _STRONG,
        (
            r"\bgeen interesse\b",
            r"\bniet geinteresseerd\b",
        ),
    ),
    Cue(
        "nl_decline",
        _STRONG,
        (
            (
                r"\bwe (?:gaan|zullen|kunnen) (?:het|hem|'m|deze)? ?(?:helaas )?niet (?:draaien|opnemen|"
                r"spelen|gebruiken)\b"
            ),
            r"\bwe draaien (?:het|hem|'m|deze) niet\b",
            r"\bnee,? dank\w*\b",
        ),
    ),
    Cue(
        "nl_unsubscribe",
        _STRONG,
        (
            r"\bafmelden\b",
            r"\buitschrijven\b",
            r"\bhaal (?:me|mij) (?:van|uit)\b",
            r"\bverwijder (?:me|mij)\b",
        ),
    ),
    Cue(
        "nl_unfortunately",
        _WEAK + 0.5,
        (r"\bhelaas\b",),
    ),
)

_NEUTRAL = re.compile(
    r"\?|\bthanks?\b|\bthank you\b|\breceived\b|\bgot it\b|\bhave a listen\b|\bget back to you\b|\bforward|"
    r"\bmerci\b|\bbien recu\b|\bdanke\b|\berhalten\b|\bgracias\b|\brecibido\b|\bgrazie\b|\bricevuto\b|"
    r"\bobrigad[oa]\b|\brecebid[oa]\b|\bbedankt\b|\bontvangen\b",
)

_NEGATION_BEFORE = re.compile(
    r"(?:\b(?:not|no|never|nor|nicht|kein\w*|nie|non|nao|nunca|nem|niet|geen|nooit|pas|ne|ni)\b|n'?t\b|\bn')\W*(?:\w+\W+){0,2}$"
)
_NEGATION_AFTER = re.compile(r"^\W*(?:\w+\W+){0,1}(?:pas|nicht|niet)\b")

_POSITIVE_RE = tuple((cue.name, cue.weight, cue.compiled()) for cue in _POSITIVE)
_NEGATIVE_RE = tuple((cue.name, cue.weight, cue.compiled()) for cue in _NEGATIVE)


@dataclass(frozen=True, slots=True)
class IntentVerdict:
    intent: Intent
    confidence: float
    reasons: tuple[str, ...]


def _negated(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - 30) : start]
    before = re.split(r"[.!?;]", before)[-1]  # a negation in the previous sentence says nothing here
    return bool(_NEGATION_BEFORE.search(before) or _NEGATION_AFTER.match(text[end : end + 20]))


def rule_intent(reply: str) -> IntentVerdict:
    """The phrase rules alone: what they recognise, and how strongly (an input to the model)."""
    text = fold(reply)[:8000]
    if not text.strip():
        return IntentVerdict("replied", 0.2, ("empty_reply_text",))
    positive = negative = 0.0
    reasons: list[str] = []
    negative_spans: list[tuple[int, int]] = []
    for name, weight, pattern in _NEGATIVE_RE:
        for match in pattern.finditer(text):
            negative_spans.append(match.span())
            negative += weight
            reasons.append(f"neg:{name}")
            break
    for name, weight, pattern in _POSITIVE_RE:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(s < end and start < e for s, e in negative_spans):
                continue  # the same words already counted as a negative cue
            if _negated(text, start, end):
                negative += weight
                reasons.append(f"negated:{name}")
            else:
                positive += weight
                reasons.append(f"pos:{name}")
            break
    if negative and negative >= positive:
        confidence = min(0.95, 0.55 + 0.1 * (negative - positive) + (0.1 if negative >= _STRONG else 0.0))
        return IntentVerdict("not_interested", round(confidence, 2), tuple(reasons))
    if positive:
        confidence = min(0.95, 0.45 + 0.1 * (positive - negative))
        return IntentVerdict("interested", round(confidence, 2), tuple(reasons))
    neutral = bool(_NEUTRAL.search(text))
    return IntentVerdict("replied", 0.7 if neutral else 0.55, (*reasons, "neutral_cue" if neutral else "no_intent_cue"))


# Hard signals the model is not asked about: an explicit request to be taken off the list.
_UNSUBSCRIBE = frozenset(
    {
        "neg:en_unsubscribe",
        "neg:fr_unsubscribe",
        "neg:de_unsubscribe",
        "neg:es_unsubscribe",
        "neg:it_unsubscribe",
        "neg:pt_unsubscribe",
        "neg:nl_unsubscribe",
    }
)
# Below this probability the model's pick is not trusted: the reply stays "replied" (the card says
# "needs a look") with the probability as its confidence, rather than a wrong category.
MIN_CONFIDENCE = 0.5


def intent_features(reply: str, rules: IntentVerdict) -> dict[str, float]:
    """The model's input: the text's features and what the phrase rules saw in it."""
    extra = [f"r:{reason}" for reason in rules.reasons if ":" in reason]
    extra.append(f"r:intent:{rules.intent}")
    return text_features(reply, extra)


def classify_intent(reply: str) -> IntentVerdict:
    """The intent of a reply's own text: the model's judgement, with the phrase rules as its evidence."""
    if not fold(reply).strip():
        return IntentVerdict("replied", 0.2, ("empty_reply_text",))
    rules = rule_intent(reply)
    if _UNSUBSCRIBE.intersection(rules.reasons):
        return IntentVerdict("not_interested", 0.97, (*rules.reasons, "explicit_unsubscribe"))
    model = shipped_model()
    if model is None:
        return rules
    probabilities = model.probabilities(intent_features(reply, rules))
    best = max(probabilities, key=lambda label: probabilities[label])
    confidence = round(probabilities[best], 2)
    if best == "replied" or confidence < MIN_CONFIDENCE:
        reasons = ("model:replied",) if best == "replied" else (f"model_unsure:{best}",)
        return IntentVerdict("replied", confidence, (*rules.reasons, *reasons))
    return IntentVerdict(cast(Intent, best), confidence, (*rules.reasons, f"model:{best}"))
