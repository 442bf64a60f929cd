"""The intent model's text features: negation scopes and what follows a contrast."""

from __future__ import annotations

from tracker_integrations.replies.features import text_features


def test_words_after_a_contrast_are_their_own_evidence() -> None:
    # GIVEN a reply whose answer comes after "but"
    # WHEN its features are read
    bag = text_features("Not my usual style but I'm playing it. Thanks!")
    # THEN the words after "but" are marked, the words before it and the next sentence are not
    assert {"a:i'm", "a:playing", "a:it"} <= bag.keys()
    assert "a:style" not in bag
    assert "a:thanks" not in bag


def test_a_contrast_is_read_in_each_language() -> None:
    for text, word in (("pas mon style mais je le programme", "a:programme"), ("nicht mein Ding, aber gut", "a:gut")):
        assert word in text_features(text)


def test_a_negated_word_is_not_the_word() -> None:
    bag = text_features("not interested")
    assert "n:interested" in bag
    assert "w:interested" not in bag
