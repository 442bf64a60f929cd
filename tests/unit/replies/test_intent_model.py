"""The statistical intent model: negation and hedging, out-of-office from wording alone, low confidence
kept as a plain reply, and its weights loaded on the first message rather than at import."""

from __future__ import annotations

import gzip
import json
import math
import subprocess
import sys
from email.message import EmailMessage

import pytest
from pydantic import ValidationError

from tracker_integrations.replies import classify_raw
from tracker_integrations.replies.intent import MIN_CONFIDENCE, classify_intent, resting_cue, unsure_reason
from tracker_integrations.replies.intent_model import MODEL_PATH, IntentModelFile, model_from_file, shipped_model

PITCH_QUOTE = "\n\nOn Mon, 2 Mar 2026 at 09:30, Sam <sam@plugger.example> wrote:\n> Would you play the new single?\n"


def _reply(body: str) -> bytes:
    message = EmailMessage()
    message["From"] = "Robin <robin@station.example>"
    message["To"] = "sam@plugger.example"
    message["Subject"] = "Re: New single"
    message["Date"] = "Tue, 03 Mar 2026 10:15:00 +0000"
    message["In-Reply-To"] = "<pitch@plugger.example>"
    message.set_content(body)
    return message.as_bytes()


def test_the_shipped_model_reads_and_knows_the_four_categories() -> None:
    model = shipped_model()
    assert model is not None
    assert set(model.labels) == {"interested", "not_interested", "auto_reply", "replied"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Not bad at all! Going on the playlist.", "interested"),
        ("Sounds great, send the wavs.", "interested"),
        ("Not sure it fits what we do, sorry.", "not_interested"),
        ("Not for us right now.", "not_interested"),
        ("Passt leider nicht.", "not_interested"),
        ("Merci mais pas pour nous.", "not_interested"),
        ("Wir sind nicht interessiert.", "not_interested"),
    ],
)
def test_negation_and_hedging_are_read_right(text: str, expected: str) -> None:
    assert classify_intent(text).intent == expected


@pytest.mark.parametrize(
    "text",
    [
        "Bonjour, je suis absente jusqu'au 14/03 inclus. Je traiterai votre message à mon retour.",
        "Ich bin bis einschließlich 14.03. nicht im Büro und habe keinen Zugriff auf meine E-Mails.",
        "Estoy fuera de la oficina hasta el 14/03 sin acceso al correo. Responderé a mi regreso.",
    ],
)
def test_an_out_of_office_without_any_header_is_recognised_from_its_words(text: str) -> None:
    # GIVEN an out-of-office written by hand above the quoted pitch, with no auto-reply header
    result = classify_raw(_reply(text + PITCH_QUOTE))
    # THEN it is an auto-reply, and the local-format date is read as the return date
    assert result.category == "auto_reply"
    assert result.return_date is not None
    assert (result.return_date.month, result.return_date.day) == (3, 14)


def test_a_reply_below_the_quote_is_read() -> None:
    # GIVEN a bottom-posted reply: the quoted pitch first, the contact's words under it
    body = "On Mon, 2 Mar 2026 at 09:30, Sam <sam@plugger.example> wrote:\n> Would you play it?\n\nNot for us, sorry.\n"
    result = classify_raw(_reply(body))
    # THEN the words under the quote are the reply
    assert result.reply_text == "Not for us, sorry."
    assert result.category == "not_interested"


def test_a_low_confidence_answer_stays_replied_with_its_confidence() -> None:
    # GIVEN replies the model cannot place with confidence (a bare reaction, a single word)
    for text in ("Hmm.", "Ok", "Noted with thanks"):
        verdict = classify_intent(text)
        # THEN each is a plain reply, or a category the model is at least MIN_CONFIDENCE sure of
        assert verdict.intent == "replied" or verdict.confidence >= MIN_CONFIDENCE
        if any(reason.startswith("model_unsure:") for reason in verdict.reasons):
            assert verdict.intent == "replied"
            assert verdict.confidence < MIN_CONFIDENCE


def test_the_model_is_loaded_on_the_first_message_not_at_import() -> None:
    # GIVEN a fresh interpreter that imports the classifier
    probe = (
        "from tracker_integrations.replies import classify_raw\n"
        "from tracker_integrations.replies.intent_model import shipped_model\n"
        "before = shipped_model.cache_info().currsize\n"
        "classify_raw(b'From: a@b.example\\r\\nSubject: Re: x\\r\\n\\r\\nSounds great, send the wavs.')\n"
        "print(before, shipped_model.cache_info().currsize)\n"
    )
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)  # noqa: S603
    out = run.stdout.split()
    # THEN nothing is read at import, and the weights are there after the first message
    assert out == ["0", "1"]


def test_a_temperature_above_one_makes_the_model_less_sure_without_changing_its_pick() -> None:
    # GIVEN the same weights read with the temperature 1 and with 2
    data = IntentModelFile(version=1, labels=("interested", "replied"), weights={"w:yes": (2.0, 0.0)})
    sharp = model_from_file(data)
    soft = model_from_file(data.model_copy(update={"temperature": 2.0}))
    # WHEN both score a reply that says yes
    sharp_p, soft_p = sharp.probabilities({"w:yes": 1.0}), soft.probabilities({"w:yes": 1.0})
    # THEN both pick interested, the warmer one with less confidence (softmax of 2/2 against 0)
    assert max(sharp_p, key=sharp_p.__getitem__) == max(soft_p, key=soft_p.__getitem__) == "interested"
    assert soft_p["interested"] == pytest.approx(math.exp(1) / (math.exp(1) + 1))
    assert soft_p["interested"] < sharp_p["interested"]


def test_a_model_file_without_a_temperature_reads_as_uncalibrated_and_a_non_positive_one_is_refused() -> None:
    # GIVEN model files written before calibration, and one with a temperature of zero
    old = IntentModelFile.model_validate({"version": 1, "labels": ["replied"], "weights": {}})
    # THEN the old file reads with the temperature 1, and zero is refused (it would divide by zero)
    assert old.temperature == 1.0
    with pytest.raises(ValidationError):
        IntentModelFile.model_validate({"version": 1, "labels": ["replied"], "weights": {}, "temperature": 0})


def test_the_shipped_model_carries_the_temperature_its_training_fitted() -> None:
    # GIVEN the shipped model file, whose temperature make train-replies fitted
    with gzip.open(MODEL_PATH, "rt", encoding="utf-8") as fh:
        data = IntentModelFile.model_validate(json.load(fh))
    # THEN the classifier reads its weights with that temperature
    model = shipped_model()
    assert model is not None
    assert model.temperature == data.temperature


def test_a_yes_or_no_needs_a_look_when_unsure_close_to_its_runner_up_or_resting_on_one_hedge() -> None:
    # GIVEN picks that are sure, unsure, close to the runner-up, and sure only thanks to one condition
    sure = {"interested": 0.8, "not_interested": 0.1, "auto_reply": 0.05, "replied": 0.05}
    unsure = {"interested": 0.4, "not_interested": 0.3, "auto_reply": 0.1, "replied": 0.2}
    close = {"interested": 0.56, "not_interested": 0.44, "auto_reply": 0.0, "replied": 0.0}
    # THEN only the sure one is taken; the others say why they need a look
    assert unsure_reason(sure, None, 0.55, 0.2) is None
    assert unsure_reason(unsure, None, 0.55, 0.2) == "low_confidence"
    assert unsure_reason(close, None, 0.55, 0.2) == "close_runner_up"
    assert unsure_reason(sure, "m:condition", 0.55, 0.2) == "rests_on:m:condition"


def test_the_resting_cue_is_the_hedge_without_which_the_pick_changes() -> None:
    # GIVEN a model for which a condition alone turns a plain reply into a yes
    model = model_from_file(
        IntentModelFile(
            version=1,
            labels=("interested", "replied"),
            weights={"m:condition": (2.0, 0.0), "w:send": (0.5, 0.0), "bias": (0.0, 1.0)},
        )
    )
    features = {"m:condition": 1.0, "w:send": 1.0, "bias": 1.0}
    # THEN the condition is the cue it rests on; a word is no hedge, and a sure pick rests on nothing
    assert resting_cue(model, features, "interested", ("m:condition",)) == "m:condition"
    assert resting_cue(model, features, "interested", ("a:",)) is None
    assert resting_cue(model, {**features, "w:send": 4.0}, "interested", ("m:condition",)) is None
