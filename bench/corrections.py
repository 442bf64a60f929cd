"""How many of a user's corrections change later results.

A simulated account receives every reply of our own (bench/reply_sets.py) in a fixed order, one
contact domain per language, and reads each card: when the classifier's category is wrong, the user
corrects it (the correction becomes a labelled example of that account). Later messages are
classified with the account's corrections; the figures count the later results they changed, to the
right category and to a wrong one (the goal: none changed for the worse).

Our replies are nearly all worded differently, so few of them come close to an earlier correction.
Contacts do repeat themselves (a station's stock answer, a curator's usual refusal), so a second pass
has each corrected contact send the same answer again later, with another greeting and sign-off and
another layout, and counts how many of those repeats the corrections set right.
"""

from __future__ import annotations

from bench.replies import none_figure
from bench.reply_sets import Reply, development_replies, wrap_reply
from bench.results import Figure
from tracker_integrations.replies import classify_raw
from tracker_integrations.replies.corrections import CorrectionExample, CorrectionMemory
from tracker_integrations.replies.model import ReplyCategory

_GREETING = {
    "en": "Hi Sam,",
    "fr": "Salut Claire,",
    "de": "Hallo Jonas,",
    "es": "Hola Laura,",
    "it": "Ciao Marco,",
    "pt": "Olá Rita,",
    "nl": "Hoi Daan,",
}
_SIGN_OFF = {
    "en": "Cheers",
    "fr": "Bonne journée",
    "de": "Grüße",
    "es": "Saludos",
    "it": "Ciao",
    "pt": "Abraço",
    "nl": "Groet",
}


def _sender(reply: Reply) -> str:
    return f"contact@{reply.language}.station.example"


def _final(memory: CorrectionMemory, reply: Reply, raw: bytes) -> tuple[ReplyCategory, ReplyCategory]:
    """The classifier's category for a message, and what the account's corrections make of it."""
    verdict = classify_raw(raw)
    learned = memory.reconsider(verdict.category, verdict.confidence, verdict.reply_text, _sender(reply))
    return verdict.category, learned.category if learned else verdict.category


def _repeat(reply: Reply, text: str) -> bytes:
    greeting, sign_off = _GREETING[reply.language], _SIGN_OFF[reply.language]
    return wrap_reply(f"repeat-{reply.id}", reply.language, f"{greeting}\n\n{text}\n\n{sign_off}")


def run() -> list[Figure]:
    memory = CorrectionMemory()
    corrected: list[tuple[Reply, str]] = []
    changed_right = changed_wrong = 0
    for reply in sorted(development_replies(), key=lambda r: r.id):
        verdict = classify_raw(reply.raw)
        learned = memory.reconsider(verdict.category, verdict.confidence, verdict.reply_text, _sender(reply))
        final = learned.category if learned else verdict.category
        if final != verdict.category:
            changed_right += final == reply.category
            changed_wrong += verdict.category == reply.category
        if final != reply.category:
            corrected.append((reply, verdict.reply_text))
            memory.add(CorrectionExample(_sender(reply).split("@")[1], verdict.reply_text, reply.category))  # type: ignore[arg-type]
    repeats_right = repeats_wrong = repeats_still_wrong = 0
    for reply, text in corrected:
        base, final = _final(memory, reply, _repeat(reply, text))
        repeats_right += base != reply.category and final == reply.category
        repeats_wrong += base == reply.category and final != reply.category
        repeats_still_wrong += final != reply.category
    print(
        f"replies: {len(corrected)} corrections made; later results changed: {changed_right} to right, "
        f"{changed_wrong} from right to wrong; the same answers sent again: {repeats_right} set right by the "
        f"corrections, {repeats_wrong} made wrong, {repeats_still_wrong} still wrong"
    )
    return [
        _reported(f"replies: later results corrections fixed ({len(corrected)} corrections)", changed_right),
        none_figure("replies: later results corrections broke", changed_wrong),
        _reported(f"replies: repeated answers the corrections set right ({len(corrected)} repeats)", repeats_right),
        none_figure("replies: repeated answers the corrections made wrong", repeats_wrong),
    ]


def _reported(name: str, count: int) -> Figure:
    """A count only reported: how many results changed depends on how many mistakes there were to fix."""
    return Figure(name=name, value=count, unit="msgs", goal="report", met=True)
