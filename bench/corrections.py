"""How many of a user's corrections change later results.

A simulated account receives every reply of our own (bench/reply_sets.py) in a fixed order, one
contact domain per language, and reads each card: when the classifier's category is wrong, the user
corrects it (the correction becomes a labelled example of that account). Later messages are
classified with the account's corrections; the figures count the later results they changed, to the
right category and to a wrong one (the goal: none changed for the worse).
"""

from __future__ import annotations

from bench.replies import none_figure
from bench.reply_sets import development_replies
from bench.results import Figure
from tracker_integrations.replies import classify_raw
from tracker_integrations.replies.corrections import CorrectionExample, CorrectionMemory


def run() -> list[Figure]:
    memory = CorrectionMemory()
    corrections = changed_right = changed_wrong = reweighed = 0
    for reply in sorted(development_replies(), key=lambda r: r.id):
        sender = f"contact@{reply.language}.station.example"
        verdict = classify_raw(reply.raw)
        learned = memory.reconsider(verdict.category, verdict.confidence, verdict.reply_text, sender)
        final = learned.category if learned else verdict.category
        if learned and final == verdict.category and learned.confidence != verdict.confidence:
            reweighed += 1
        if final != verdict.category:
            changed_right += final == reply.category
            changed_wrong += verdict.category == reply.category
        if final != reply.category:
            corrections += 1
            memory.add(CorrectionExample(sender.split("@")[1], verdict.reply_text, reply.category))  # type: ignore[arg-type]
    print(
        f"replies: {corrections} corrections made; later results changed: {changed_right} to right, "
        f"{changed_wrong} from right to wrong; {reweighed} kept their category with another confidence"
    )
    return [
        Figure(
            name=f"replies: later results corrections fixed ({corrections} corrections)",
            value=changed_right,
            unit="msgs",
            goal="report",
            met=True,
        ),
        none_figure("replies: later results corrections broke", changed_wrong),
    ]
