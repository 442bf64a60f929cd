"""German phrase cues: interest (POSITIVE) and refusal (NEGATIVE), accent-free and lower case."""

from __future__ import annotations

from tracker_integrations.replies.rules import MEDIUM, STRONG, WEAK, Cue

POSITIVE: tuple[Cue, ...] = (
    Cue(
        "de_rotation",
        STRONG,
        (
            (
                r"\b(?:in (?:die |unsere )?rotation|auf (?:die |unsere )?playlist|in (?:die |unsere "
                r")?playlist|ins programm)\b"
            ),
        ),
    ),
    Cue(
        "de_play",
        STRONG,
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
        STRONG,
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
        STRONG,
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
        MEDIUM,
        (
            r"\binteressiert\b",
            r"\binteresse\b",
            r"\bsind dabei\b",
            r"\bbin dabei\b",
        ),
    ),
    Cue(
        "de_praise",
        WEAK,
        (
            r"\bgefallt (?:mir|uns)\b",
            r"\bgefaellt (?:mir|uns)\b",
            r"\btoller? (?:song|track|titel)\b",
            r"\bsuper (?:song|track|titel)\b",
            r"\bklasse\b",
            r"\bsehr schon\b",
        ),
    ),
)

NEGATIVE: tuple[Cue, ...] = (
    Cue(
        "de_format",
        STRONG,
        (
            r"\bpasst (?:leider )?(?:nicht|nicht so)\b",
            r"\bpassen (?:leider )?(?:nicht|diesmal)\b",
            r"\bnicht (?:ganz )?(?:unser|unsere|passend|das richtige|fur uns|fuer uns)\b",
            r"\bnichts fur (?:uns|unser\w*)\b",
        ),
    ),
    Cue(
        "de_not_interested",
        STRONG,
        (
            r"\bkein (?:interesse|bedarf)\b",
            r"\bnicht interessiert\b",
        ),
    ),
    Cue(
        "de_decline",
        STRONG,
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
        STRONG,
        (
            (
                r"\b(?:austragen|abmelden|vom verteiler|aus dem verteiler|aus ihrem verteiler|aus eurem "
                r"verteiler|bitte keine (?:weiteren )?(?:mails|e-mails)|keine weiteren (?:mails|e-mails)|"
                r"keine (?:mails|e-mails) mehr)\b"
            ),
            r"\b(?:entfernen|loschen|streichen) sie (?:meine|unsere) (?:adresse|e-?mail-?adresse|mailadresse)\b",
            r"\b(?:nehmen|streichen|loschen|entfernen) sie (?:mich|uns) (?:bitte )?(?:aus|von)\b",
            r"\bloschung (?:meiner|unserer|aller meiner) (?:\w+ )?daten\b",
            r"\b(?:meine|unsere) (?:personenbezogenen |personlichen )?daten (?:\w+ )?(?:zu )?loschen\b",
        ),
    ),
    Cue(
        "de_unfortunately",
        WEAK + 0.5,
        (r"\bleider\b",),
    ),
)
