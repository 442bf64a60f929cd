"""Learning from a user's corrections: their corrected replies are labelled examples for their account.

A user who corrects a reply's category (``PUT .../reply-category``) says how *their* contacts write.
Each corrected reply (the sender's domain, its text, the category the user chose) is kept on the pitch
already; :class:`CorrectionMemory` holds one account's examples and reconsiders a later verdict on a
message from the same domain whose wording is close to one of them (word overlap, Jaccard, at least
:data:`MIN_SIMILARITY`). The user's category wins for nearly the same words (at least
:data:`CLOSE_SIMILARITY`: a station's stock answer), or when its confidence (growing with the likeness)
is above the classifier's; otherwise the classifier's answer stands with its confidence lowered, so a
sure verdict is not overturned by a loosely similar correction but a shaky one is. Bounces are never
reconsidered (a delivery report is a hard signal), and nothing is learned across accounts or domains.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from tracker_integrations.replies.dates import fold
from tracker_integrations.replies.model import ReplyCategory

MIN_SIMILARITY = 0.5
CLOSE_SIMILARITY = 0.75
MAX_TEXT = 200  # the stored preview's length: both sides are compared on the same footing
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True, slots=True)
class CorrectionExample:
    sender_domain: str
    text: str
    category: ReplyCategory


@dataclass(frozen=True, slots=True)
class Reconsidered:
    category: ReplyCategory
    confidence: float
    similarity: float


def _words(text: str) -> frozenset[str]:
    return frozenset(_WORD.findall(fold(" ".join(text.split())[:MAX_TEXT])))


def domain_of(address: str) -> str:
    return address.rsplit("@", 1)[-1].strip().lower() if "@" in address else ""


class CorrectionMemory:
    def __init__(self, examples: Iterable[CorrectionExample] = ()) -> None:
        self._by_domain: dict[str, list[tuple[frozenset[str], ReplyCategory]]] = {}
        for example in examples:
            self.add(example)

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_domain.values())

    def add(self, example: CorrectionExample) -> None:
        words = _words(example.text)
        if words and example.category != "bounce" and example.sender_domain:
            self._by_domain.setdefault(example.sender_domain.lower(), []).append((words, example.category))

    def reconsider(self, category: ReplyCategory, confidence: float, text: str, sender: str) -> Reconsidered | None:
        """The user's category for a message like one they corrected, or None when none is close enough."""
        if category == "bounce":
            return None
        examples = self._by_domain.get(domain_of(sender), [])
        words = _words(text)
        best: tuple[float, ReplyCategory] | None = None
        for known, corrected in examples:
            similarity = len(words & known) / len(words | known) if words else 0.0
            if similarity >= MIN_SIMILARITY and (best is None or similarity > best[0]):
                best = (similarity, corrected)
        if best is None:
            return None
        similarity, corrected = best
        learned = round(0.5 + 0.45 * similarity, 2)
        if corrected == category:
            return Reconsidered(category, max(confidence, learned), round(similarity, 2))
        if similarity >= CLOSE_SIMILARITY or learned > confidence:
            return Reconsidered(corrected, learned, round(similarity, 2))
        return Reconsidered(category, round(confidence * (1 - similarity / 2), 2), round(similarity, 2))
