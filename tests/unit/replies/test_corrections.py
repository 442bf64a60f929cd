"""Learning from a user's corrections: same domain and close wording take the user's category."""

from __future__ import annotations

from tracker_integrations.replies.corrections import CorrectionExample, CorrectionMemory

STOCK = "Thanks, this goes to the Tuesday music meeting and we will let you know."


def corrected_to_interested() -> CorrectionMemory:
    """An account whose user corrected a stock answer from radio.example to interested."""
    return CorrectionMemory([CorrectionExample("radio.example", STOCK, "interested")])


def test_a_close_message_from_the_same_domain_takes_the_corrected_category() -> None:
    # GIVEN the user corrected a stock answer from radio.example to interested
    # WHEN a later message from the same domain says nearly the same
    learned = corrected_to_interested().reconsider(
        "replied", 0.7, "Thanks, this goes to Tuesday's music meeting, we will let you know.", "ben@radio.example"
    )
    # THEN the user's category wins, with a confidence that reflects the likeness
    assert learned is not None
    assert learned.category == "interested"
    assert 0.5 < learned.confidence <= 0.95


def test_other_domains_other_wording_and_bounces_are_left_alone() -> None:
    memory = corrected_to_interested()
    assert memory.reconsider("replied", 0.7, STOCK, "someone@other-station.example") is None
    assert memory.reconsider("replied", 0.7, "Who is the label on this one?", "ben@radio.example") is None
    assert memory.reconsider("bounce", 0.99, STOCK, "ben@radio.example") is None


def test_agreeing_with_a_correction_raises_the_confidence() -> None:
    learned = corrected_to_interested().reconsider("interested", 0.55, STOCK, "ben@radio.example")
    assert learned is not None
    assert (learned.category, learned.confidence) == ("interested", 0.95)


def test_a_sure_verdict_is_not_overturned_by_a_loosely_similar_correction() -> None:
    # GIVEN the user corrected a stock answer from radio.example to interested
    # WHEN the classifier is sure a half-similar message from that domain is a plain reply
    learned = corrected_to_interested().reconsider(
        "replied", 0.97, "Thanks, this goes to the Tuesday music meeting.", "ben@radio.example"
    )
    # THEN its answer stands, less sure than it was
    assert learned is not None
    assert learned.category == "replied"
    assert learned.confidence < 0.97


def test_nearly_the_same_words_take_the_users_category_however_sure_the_classifier_is() -> None:
    learned = corrected_to_interested().reconsider(
        "replied", 0.99, "Thanks, this goes to the Tuesday music meeting and we'll let you know.", "ben@radio.example"
    )
    assert learned is not None
    assert learned.category == "interested"
