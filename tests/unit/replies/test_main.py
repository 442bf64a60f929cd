"""The command line: one JSON object per file, and a clear error for unreadable ones."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tracker_integrations.replies.__main__ import main

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "replies"


def test_each_file_gives_one_json_line(capsys: pytest.CaptureFixture[str]) -> None:
    # GIVEN a bounce and an out-of-office
    files = [str(FIXTURES / "bounce-dsn-hard.eml"), str(FIXTURES / "ooo-de.eml")]
    # WHEN the command runs on both
    status = main(files)
    lines = capsys.readouterr().out.splitlines()
    # THEN it prints one object per file with the model's fields, dates in ISO form
    assert status == 0
    first, second = (json.loads(line) for line in lines)
    assert first["file"] == files[0]
    assert first["category"] == "bounce"
    assert first["bounce_type"] == "hard"
    assert second["return_date"] == "2027-01-07"
    assert set(first) >= {"category", "confidence", "bounced_recipient", "bounce_type", "return_date", "reply_text"}


def test_an_unreadable_file_fails_with_a_message_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    status = main([str(FIXTURES / "ooo-en.eml"), "/nonexistent/reply.eml"])
    captured = capsys.readouterr()
    assert status != 0
    assert "cannot read /nonexistent/reply.eml" in captured.err
    assert len(captured.out.splitlines()) == 1  # the readable file is still reported


def test_no_arguments_prints_usage() -> None:
    assert main([]) == 2


def test_it_runs_as_a_module() -> None:
    # The arguments are ours (this interpreter and a fixture path), so S603's untrusted-input concern does not apply.
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "tracker_integrations.replies", str(FIXTURES / "bounce-qmail.eml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["category"] == "bounce"
