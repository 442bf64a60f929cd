"""Italian phrase cues: interest (POSITIVE) and refusal (NEGATIVE), accent-free and lower case."""

from __future__ import annotations

from tracker_integrations.replies.rules import MEDIUM, STRONG, WEAK, Cue

POSITIVE: tuple[Cue, ...] = (
    Cue(
        "it_play",
        STRONG,
        (
            (
                r"\blo (?:mettiamo|metteremo|inseriamo|inseriremo|passiamo|passeremo|suoniamo|suoneremo|"
                r"trasmettiamo|trasmetteremo|programmiamo|programmeremo)\b"
            ),
        ),
    ),
    Cue(
        "it_rotation",
        STRONG,
        (
            r"\bin (?:rotazione|playlist|programmazione)\b",
            r"\bin onda\b",
        ),
    ),
    Cue(
        "it_would_love",
        STRONG,
        (
            (
                r"\b(?:mi|ci) piacerebbe (?:molto )?(?:passarlo|recensirlo|intervistar\w*|inserirlo|"
                r"presentarlo|suonarlo|trasmetterlo|averlo|ospitar\w*)"
            ),
        ),
    ),
    Cue(
        "it_send_media",
        STRONG,
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
        MEDIUM,
        (
            r"\b(?:mi|ci) interessa\b",
            r"\binteressat[oaie]\b",
        ),
    ),
    Cue(
        "it_praise",
        WEAK,
        (
            r"\b(?:mi|ci) piace (?:molto|tanto|un sacco)\b",
            r"\bbellissim[oa]\b",
            r"\bpezzone\b",
            r"\bgran pezzo\b",
        ),
    ),
)

NEGATIVE: tuple[Cue, ...] = (
    Cue(
        "it_format",
        STRONG,
        (
            r"\bnon fa per (?:noi|me)\b",
            r"\bnon (?:e|rientra) (?:nel|in linea con il|adatto al) (?:nostro|nostra)\b",
            r"\bnon (?:si adatta|e in linea)\b",
            r"\bnon e il nostro (?:genere|formato|stile)\b",
        ),
    ),
    Cue(
        "it_not_interested",
        STRONG,
        (
            r"\bnon (?:mi|ci) interessa\b",
            r"\bnon (?:sono|siamo) interessat[oi]\b",
        ),
    ),
    Cue(
        "it_decline",
        STRONG,
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
        STRONG,
        (
            r"\bcancellami\b",
            r"\bcancellarmi\b",
            r"\brimuovermi\b",
            r"\brimuovetemi\b",
            r"\btoglietemi\b",
            r"\b(?:cancell|elimin|rimuov)\w* (?:tutti )?(?:i )?(?:miei|nostri) dati\b",
            r"\bdiritto all'oblio\b",
            (
                r"\b(?:rimuovete|rimuovi|togliete|cancellate|eliminate) (?:il )?(?:mio|nostro) "
                r"(?:indirizzo|contatto|e-?mail)\b"
            ),
            r"\bdisiscriv\w*",
            # "Si prega di non inviare ulteriori proposte", "non mandatemi più comunicati".
            (
                r"\bnon (?:inviare|inviatemi|inviateci|mandare|mandatemi|mandateci|spedire) (?:piu |ulteriori )?"
                r"(?:\w+ )?(?:proposte|comunicati|e-?mail|mail|newsletter|promo)\b"
            ),
        ),
    ),
    Cue(
        "it_unfortunately",
        WEAK + 0.5,
        (r"\bpurtroppo\b",),
    ),
)
