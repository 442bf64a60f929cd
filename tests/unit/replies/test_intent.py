"""Interest in human replies: interested, not interested or a neutral reply, from the reply text only."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tracker_integrations.replies import classify_raw
from tracker_integrations.replies.intent import classify_intent, rule_intent

INTENT_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "replies" / "intent"


def _labelled() -> list[tuple[str, str]]:
    with (INTENT_DIR / "labels.csv").open(newline="", encoding="utf-8") as fh:
        return [(row["file"], row["category"]) for row in csv.DictReader(fh)]


def test_the_own_intent_set_covers_seven_languages_and_three_categories() -> None:
    rows = _labelled()
    languages = {name.split("-", 1)[0] for name, _ in rows}
    assert languages == {"en", "fr", "de", "es", "it", "pt", "nl"}
    for language in languages:
        assert sum(name.startswith(f"{language}-") for name, _ in rows) >= 20
    assert {category for _, category in rows} == {"interested", "not_interested", "replied"}


def test_the_own_intent_set_is_classified_at_least_90_percent_right() -> None:
    # GIVEN our labelled radio / playlist / press replies, with quoted pitches and signatures
    rows = _labelled()
    # WHEN each is classified from its raw bytes
    wrong = [name for name, expected in rows if classify_raw((INTENT_DIR / name).read_bytes()).category != expected]
    # THEN at least 90% are right
    assert 1 - len(wrong) / len(rows) >= 0.90, wrong


@pytest.mark.parametrize(
    "text",
    [
        "We've added it to rotation from Monday.",
        "Send me the wav and I'll get it on Friday's show.",
        "On met ça en playlist dès lundi !",
        "Super, wir spielen das ab nächster Woche.",
        "Lo pasaremos en antena el sábado.",
        "Lo mettiamo in rotazione da domani.",
        "Adorei, vamos tocar no programa.",
        "Mooi, we draaien het vanavond.",
    ],
)
def test_commitments_are_interested(text: str) -> None:
    assert classify_intent(text).intent == "interested"


@pytest.mark.parametrize(
    "text",
    [
        "Not for us, I'm afraid.",
        "I'll pass on this one.",
        "Doesn't fit our format.",
        "Please remove me from this list.",
        "Merci mais ce n'est pas pour nous.",
        "Passt leider nicht in unser Programm.",
        "No encaja con la radio.",
        "Non fa per noi.",
        "Não se encaixa no nosso perfil.",
        "Past niet bij onze zender.",
    ],
)
def test_rejections_are_not_interested(text: str) -> None:
    assert classify_intent(text).intent == "not_interested"


def test_negation_turns_interest_around() -> None:
    # GIVEN "interested" with and without a negation in each of three languages
    # THEN the negated forms are not interested
    assert classify_intent("Very interested, send the wav!").intent == "interested"
    assert classify_intent("I'm not interested, thanks.").intent == "not_interested"
    assert classify_intent("Wir sind nicht interessiert.").intent == "not_interested"
    assert classify_intent("No me interesa.").intent == "not_interested"
    assert classify_intent("We won't play it.").intent == "not_interested"


def test_a_negation_in_the_previous_sentence_does_not_flip_a_commitment() -> None:
    assert classify_intent("Not bad at all! Going on the playlist.").intent == "interested"


def test_praise_followed_by_a_rejection_is_not_interested() -> None:
    assert classify_intent("Lovely track, but it doesn't fit our format.").intent == "not_interested"


def test_neutral_replies_are_replied_and_stronger_signals_mean_higher_confidence() -> None:
    neutral = classify_intent("Thanks, received. When is the release date?")
    weak = classify_intent("Great track.")
    strong = classify_intent("Great track, we've added it to the playlist and will play it Friday.")
    assert neutral.intent == "replied"
    assert weak.intent == strong.intent == "interested"
    assert strong.confidence > weak.confidence


def test_the_quoted_pitch_never_counts() -> None:
    # GIVEN a neutral reply above a pitch full of positive words
    raw = (
        b"From: Alex <alex@northradio.example>\r\nTo: sam@plugger.example\r\nSubject: Re: single\r\n"
        b"Date: Tue, 03 Mar 2026 10:00:00 +0000\r\n\r\nWhich label is this on?\r\n\r\n"
        b"On Mon, 2 Mar 2026 at 09:30, Sam <sam@plugger.example> wrote:\r\n"
        b"> We'd love you to add it to rotation - we'll send the wav.\r\n"
    )
    result = classify_raw(raw)
    # THEN only the reply is read
    assert result.category == "replied"
    assert result.reply_text == "Which label is this on?"


def test_a_negation_anywhere_earlier_in_the_clause_turns_a_phrase_cue_around() -> None:
    # GIVEN formal refusals whose negation stands far from the playlist phrase
    for text in (
        "Após audição, decidimos não incluir o tema na playlist.",
        "We hebben besloten het nummer niet op te nemen in de playlist.",
        "Aber in unsere Rotation kommt er nicht, dafür ist er zu lang.",
    ):
        # WHEN the phrase rules read them
        # THEN they see a negated cue, not interest
        assert rule_intent(text).intent == "not_interested", text


def test_a_contrast_starts_a_new_clause_for_the_rules() -> None:
    # GIVEN a negation before "but" and a commitment after it
    # THEN the commitment is not negated
    assert rule_intent("Not my usual thing but it is going on the playlist").intent == "interested"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Leider nicht, viel Erfolg damit.", "not_interested"),
        ("Helaas niet voor ons.", "not_interested"),
        ("Purtroppo no, non fa per noi.", "not_interested"),
        ("Wir nehmen ihn nicht ins Programm.", "not_interested"),
        ("Not bad at all. Adding it on Monday.", "interested"),
        ("Nicht schlecht! Läuft ab Montag.", "interested"),
        ("No está nada mal, la ponemos.", "interested"),
        ("Can't say no to that, send the wav.", "interested"),
        ("If you have a radio edit, we'd add it to the playlist.", "interested"),
        ("Is there a vinyl version?", "replied"),
        ("Giro a Chiara, che segue le session. Chiara, vedi tu.", "replied"),
    ],
)
def test_regret_litotes_conditions_questions_and_forwards_read_right(text: str, expected: str) -> None:
    # GIVEN a reply that says no with regret, yes by negating a fault or on a condition, only asks, or
    # passes the pitch on
    # WHEN the shipped model reads it
    verdict = classify_intent(text)
    # THEN it gets its category
    assert verdict.intent == expected, verdict


def test_a_litotes_before_a_cue_does_not_turn_it_around() -> None:
    # GIVEN a commitment after "no doubt" (praise by negating a doubt) and one after a real negation
    # WHEN the phrase rules read them
    praised, refused = rule_intent("No doubt we'll play it."), rule_intent("We won't play it.")
    # THEN the first cue stands as a yes and the second is turned around
    assert "pos:en_play" in praised.reasons
    assert refused.intent == "not_interested"


@pytest.mark.parametrize("text", ["No.", "Nein, danke.", "Non merci", "Não.", "nee", "nah"])
def test_a_bare_no_is_a_refusal(text: str) -> None:
    verdict = classify_intent(text)
    assert verdict.intent == "not_interested"
    assert "bare_no" in verdict.reasons


@pytest.mark.parametrize(
    "text",
    [
        "Rimuovete il mio indirizzo, grazie.",
        "Please remove my address.",
        "Supprimez mon adresse, merci.",
        "Entfernen Sie meine Adresse bitte.",
        "Verwijder mijn adres alstublieft.",
        "Removam o meu email, obrigado.",
        "Borrad mi direccion, gracias.",
        # Imperatives with the pronoun attached or an adverb between, and "stop sending"
        "Borradme de esta lista. Gracias.",
        "Si prega pertanto di non inviare ulteriori proposte a questo indirizzo.",
        "Haal mij alstublieft uit uw bestand.",
        "Arrêtez de m'envoyer vos communiqués.",
        "Parem de me enviar estes emails.",
        "Nehmen Sie mich bitte aus dem Verteiler.",
    ],
)
def test_a_request_to_remove_an_address_is_an_explicit_unsubscribe(text: str) -> None:
    # GIVEN a request to be taken off the list
    # WHEN its intent is read
    verdict = classify_intent(text)
    # THEN it is an explicit unsubscribe, whatever the model would say
    assert verdict.intent == "not_interested"
    assert "explicit_unsubscribe" in verdict.reasons


def test_asking_for_no_more_versions_is_not_an_unsubscribe() -> None:
    # GIVEN a yes that asks for no further versions of the track
    verdict = classify_intent("Wir setzen den Titel ein. Bitte senden Sie uns keine weiteren Versionen.")
    # THEN it is no request to leave the list
    assert "explicit_unsubscribe" not in verdict.reasons


@pytest.mark.parametrize(
    "text",
    [
        "Under GDPR I am requesting that you delete my personal data and stop contacting me.",
        "Conformément au RGPD, merci de supprimer mes données.",
        "Ich bitte um Löschung meiner personenbezogenen Daten gemäß DSGVO.",
        "De acuerdo con el RGPD, le solicito que elimine mis datos de su base de datos.",
        "Ai sensi del GDPR vi chiedo di cancellare i miei dati.",
        "Nos termos do RGPD, peço que apaguem os meus dados.",
        "Op grond van de AVG verzoek ik u mijn persoonsgegevens te verwijderen.",
    ],
)
def test_a_request_to_erase_personal_data_is_an_explicit_unsubscribe(text: str) -> None:
    # GIVEN a data-protection erasure request in each language
    # WHEN its intent is read
    verdict = classify_intent(text)
    # THEN it leaves the list as surely as "unsubscribe" does
    assert verdict.intent == "not_interested"
    assert "explicit_unsubscribe" in verdict.reasons


def test_a_warning_about_which_file_to_send_is_not_an_unsubscribe() -> None:
    # GIVEN a yes that warns which version not to send
    verdict = classify_intent("We'll run the radio edit. The full version has a swear, so don't send me that one.")
    # THEN it is no request to leave the list
    assert "explicit_unsubscribe" not in verdict.reasons
