"""Dutch phrase cues: interest (POSITIVE) and refusal (NEGATIVE), accent-free and lower case."""

from __future__ import annotations

from tracker_integrations.replies.rules import MEDIUM, STRONG, WEAK, Cue

POSITIVE: tuple[Cue, ...] = (
    Cue(
        "nl_play",
        STRONG,
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
        STRONG,
        (r"\b(?:in|op) (?:de |onze )?(?:rotatie|playlist|playlijst|draailijst)\b",),
    ),
    Cue(
        "nl_send_media",
        STRONG,
        (
            (
                r"\bstuur (?:me|mij|ons) (?:even |graag )?(?:de |het |een )?(?:wav|bestand|bestanden|mp3|"
                r"(?:download)?link|persmap)"
            ),
        ),
    ),
    Cue(
        "nl_interested",
        MEDIUM,
        (
            r"\b(?:heb|hebben) (?:wel )?interesse\b",
            r"\bgeinteresseerd\b",
        ),
    ),
    Cue(
        "nl_praise",
        WEAK,
        (
            r"\bvind (?:het|hem|ik) (?:erg |heel |echt )?(?:mooi|goed|tof|vet|sterk)\b",
            r"\bmooie (?:track|plaat|single)\b",
            r"\bdikke plaat\b",
        ),
    ),
)

NEGATIVE: tuple[Cue, ...] = (
    Cue(
        "nl_format",
        STRONG,
        (
            r"\bpast (?:helaas )?niet\b",
            r"\b(?:niets|niks|niet) voor ons\b",
            r"\bsluit (?:helaas )?niet aan\b",
            r"\bvalt (?:helaas )?buiten\b",
        ),
    ),
    Cue(
        "nl_not_interested",
        STRONG,
        (
            r"\bgeen interesse\b",
            r"\bniet geinteresseerd\b",
        ),
    ),
    Cue(
        "nl_decline",
        STRONG,
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
        STRONG,
        (
            r"\bafmelden\b",
            r"\buitschrijven\b",
            r"\bhaal (?:me|mij) (?:\w+ )?(?:van|uit)\b",
            r"\bstuur (?:me|mij|ons) (?:\w+ )?(?:geen (?:mails|e-?mails|berichten|promo\w*) |niets )meer\b",
            r"\bverwijder (?:me|mij)\b",
            r"\b(?:verwijder|wis)\w* (?:al )?(?:mijn|onze) (?:persoons)?gegevens\b",
            r"\b(?:mijn|onze) (?:persoons)?gegevens (?:\w+ )?(?:te )?(?:verwijderen|wissen)\b",
            (
                r"\b(?:uit|van) (?:jullie |de |je |uw |deze )?(?:mailinglijst|verzendlijst|mailinglist|lijst) "
                r"(?:halen|verwijderen|schrappen)\b"
            ),
            r"\b(?:verwijder|verwijderen|haal) (?:mijn|ons) (?:adres|e-?mailadres|mailadres)\b",
        ),
    ),
    Cue(
        "nl_unfortunately",
        WEAK + 0.5,
        (r"\bhelaas\b",),
    ),
)
