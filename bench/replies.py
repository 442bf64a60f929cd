"""Reply classifier: accuracy on a real bounce / auto-reply corpus, on our own intent set, and speed.

The corpus (real messages from many mail servers, see its README) is read in place and never copied
into the repository; it defaults to ``<repo>/../shared/corpora/email-bounces`` and can be moved with
``EMAIL_CORPUS_DIR``. Without it the corpus figures are reported as missed, with the reason in the name.

Goals: corpus accuracy >= 99%, no bounce taken for an auto-reply, hard/soft agreement >= 95% where the
corpus states it, own intent set >= 90%, and >= 200 messages a second on one core.
"""

from __future__ import annotations

import csv
import os
import time
from dataclasses import dataclass
from pathlib import Path

from bench.results import Figure
from tracker_integrations.replies import ReplyClassification, classify_raw

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "corpora" / "email-bounces"
INTENT_DIR = REPO_ROOT / "tests" / "fixtures" / "replies" / "intent"
THROUGHPUT_GOAL = 200.0


@dataclass(frozen=True, slots=True)
class Labelled:
    name: str
    raw: bytes
    category: str
    detail: str


def corpus_dir() -> Path:
    override = os.environ.get("EMAIL_CORPUS_DIR")  # noqa: TID251 - bench tooling, not an application setting
    return Path(override) if override else DEFAULT_CORPUS


def load_labelled(directory: Path, samples: str = "") -> list[Labelled]:
    with (directory / "labels.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    base = directory / samples if samples else directory
    return [
        Labelled(row["file"], (base / row["file"]).read_bytes(), row["category"], row.get("detail") or "")
        for row in rows
    ]


def corpus_verdict_ok(expected: Labelled, got: ReplyClassification) -> bool:
    """The corpus README's rule: bounce (with matching hard/soft where given), auto_reply, or not a bounce."""
    if expected.category == "bounce":
        return got.category == "bounce" and (not expected.detail or expected.detail == got.bounce_type)
    if expected.category == "auto_reply":
        return got.category == "auto_reply"
    return got.category != "bounce"


def _corpus_figures(messages: list[Labelled]) -> list[Figure]:
    results = [(m, classify_raw(m.raw)) for m in messages]
    correct = sum(corpus_verdict_ok(m, r) for m, r in results)
    bounce_as_auto = sum(m.category == "bounce" and r.category == "auto_reply" for m, r in results)
    with_detail = [(m, r) for m, r in results if m.category == "bounce" and m.detail in {"hard", "soft"}]
    agreeing = sum(m.detail == r.bounce_type for m, r in with_detail)
    accuracy = 100.0 * correct / len(results)
    agreement = 100.0 * agreeing / len(with_detail) if with_detail else 0.0
    return [
        Figure(
            name=f"replies: corpus accuracy ({correct}/{len(results)} real messages)",
            value=round(accuracy, 1),
            unit="%",
            goal=">= 99 %",
            met=accuracy >= 99.0,
        ),
        Figure(
            name="replies: corpus bounces taken for auto_reply",
            value=bounce_as_auto,
            unit="msgs",
            goal="= 0",
            met=bounce_as_auto == 0,
        ),
        Figure(
            name=f"replies: bounce hard/soft agreement ({agreeing}/{len(with_detail)})",
            value=round(agreement, 1),
            unit="%",
            goal=">= 95 %",
            met=bool(with_detail) and agreement >= 95.0,
        ),
    ]


def _missing_corpus_figures(directory: Path) -> list[Figure]:
    print(f"replies: no corpus at {directory} (set EMAIL_CORPUS_DIR); corpus figures reported as missed")
    reason = "no corpus; set EMAIL_CORPUS_DIR"
    return [
        Figure(name=f"replies: corpus accuracy ({reason})", value=0.0, unit="%", goal=">= 99 %", met=False),
        Figure(name=f"replies: bounces as auto_reply ({reason})", value=0.0, unit="msgs", goal="= 0", met=False),
        Figure(name=f"replies: hard/soft agreement ({reason})", value=0.0, unit="%", goal=">= 95 %", met=False),
    ]


def _intent_figure(messages: list[Labelled]) -> Figure:
    correct = sum(classify_raw(m.raw).category == m.category for m in messages)
    accuracy = 100.0 * correct / len(messages) if messages else 0.0
    return Figure(
        name=f"replies: own intent set accuracy ({correct}/{len(messages)}, 7 languages)",
        value=round(accuracy, 1),
        unit="%",
        goal=">= 90 %",
        met=bool(messages) and accuracy >= 90.0,
    )


def _throughput_figure(raws: list[bytes]) -> Figure:
    best = 0.0
    for _ in range(3):
        start = time.perf_counter()
        for raw in raws:
            classify_raw(raw)
        best = max(best, len(raws) / (time.perf_counter() - start))
    return Figure(
        name=f"replies: throughput ({len(raws)} messages, best of 3)",
        value=round(best, 1),
        unit="msg/s",
        goal=f">= {THROUGHPUT_GOAL:.0f} msg/s",
        met=best >= THROUGHPUT_GOAL,
    )


def run() -> list[Figure]:
    directory = corpus_dir()
    intent = load_labelled(INTENT_DIR)
    try:
        corpus = load_labelled(directory, samples="samples")
    except OSError:
        corpus = []
    figures = _corpus_figures(corpus) if corpus else _missing_corpus_figures(directory)
    figures.append(_intent_figure(intent))
    figures.append(_throughput_figure([m.raw for m in corpus + intent]))
    return figures
