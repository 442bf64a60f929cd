"""The bench's reply sets: which sets train the model, and which one stays blind."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import train_intent
from bench.replies import HELDOUT_INTENT_DIRS, heldout_intent_figures
from bench.reply_sets import AUTHORED_DIRS, BLIND_SETS, FIXTURES, FORMER_HELDOUT_DIRS


def test_the_blind_set_is_never_a_training_set() -> None:
    # GIVEN the sets our replies are read from, and the held-out sets the bench only reports on
    training = {directory for _, directory in (*FORMER_HELDOUT_DIRS, *AUTHORED_DIRS)}
    # WHEN both are compared
    blind = {directory for _, directory in HELDOUT_INTENT_DIRS}
    # THEN no held-out set is trained on, heldout8 is the blind one, and retired heldout7 is a fold
    assert not training & blind
    assert blind == {FIXTURES / "heldout8"}
    assert "h7" in BLIND_SETS
    assert FIXTURES / "heldout7" in training


def test_a_blind_set_not_written_yet_is_reported_as_missing(tmp_path: Path) -> None:
    # GIVEN a held-out folder with no labels.csv (a fresh clone before the set lands)
    directory = tmp_path / "heldout8"
    # WHEN the bench reports on it
    figures = heldout_intent_figures("held-out-8", directory)
    # THEN one figure says it is missing and why, and it does not count as met
    assert len(figures) == 1
    assert "missing" in figures[0].name
    assert "labels.csv" in figures[0].name
    assert not figures[0].met


def test_asking_the_trainer_for_help_fits_nothing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN the trainer's command line (a refit takes minutes and rewrites the shipped model)
    def no_reading(*_: object) -> list[object]:
        raise AssertionError("the replies were read")

    monkeypatch.setattr(train_intent, "development_replies", no_reading)
    # WHEN it is asked for help, or given a flag it does not know
    with pytest.raises(SystemExit) as helped:
        train_intent.main(["--help"])
    with pytest.raises(SystemExit) as mistyped:
        train_intent.main(["--by-autor"])
    # THEN it prints its usage and stops before reading a single reply
    assert helped.value.code == 0
    assert mistyped.value.code == 2
    assert "--by-author" in capsys.readouterr().out
