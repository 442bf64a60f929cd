"""The phrase rules of the reply classifier, one module per language (en, fr, de, es, it, pt, nl).

Each language module lists ``POSITIVE`` cues (interest: commitments to play, requests for files,
praise) and ``NEGATIVE`` cues (refusals, "not for us", unsubscribe requests). Cues are written
accent-free and lower case, and matched against the folded reply text by
:mod:`tracker_integrations.replies.intent`, which also turns a closely negated positive cue around.
The rules are evidence for the intent model, not the verdict: what they find becomes features.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

STRONG = 3.0
MEDIUM = 2.0
WEAK = 1.0

MEDIA = (
    "(?:"
    + "|".join(
        (
            r"wav",
            r"wavs",
            r"mp3s?",
            r"flac",
            r"aiff",
            r"hi-?res",
            r"high-?res",
            r"files?",
            r"download(?: link)?",
            r"link",
            r"stems",
            r"radio edit",
            r"clean (?:edit|version)",
            r"press kit",
            r"epk",
            r"promo",
            r"bio",
            r"artwork",
            r"press shots",
            r"photos",
        )
    )
    + ")"
)


@dataclass(frozen=True, slots=True)
class Cue:
    """One lexical cue: the reason name it reports, its weight, and its alternatives (joined with |)."""

    name: str
    weight: float
    alternatives: tuple[str, ...]

    def compiled(self) -> re.Pattern[str]:
        return re.compile("|".join(self.alternatives))
