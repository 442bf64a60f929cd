"""Text features for the intent model: words, word pairs, negation scopes and character n-grams.

One function turns a reply's own text (quotes and signature already removed) into a bag of feature
names; training (``bench/train_intent.py``) and inference use this same function, so a model file
always matches the code that reads it. Pure Python and stdlib only.

- ``w:`` words of the accent-folded, lower-case text;
- ``b:`` adjacent word pairs ("not bad", "pas pour", "leider nicht");
- ``n:`` words inside a negation's scope (up to three words after not / pas / nicht / no / niet ...,
  stopped by punctuation), in place of their ``w:`` and ``c:`` features, so "not interested" and
  "interested" are different evidence;
- ``a:`` words after a contrast ("but", "mais", "aber", "pero", "ma", "mas", "maar" ...) up to the
  sentence's end: in "not my usual style but I'm playing it" the words after "but" carry the answer;
- ``c:`` character 3- to 5-grams inside words (with boundary marks), which carry inflections,
  compounds and spelling variants ("interessiert", "interessante", "interesse") across languages;
- ``len:`` a coarse length bucket: one-line answers and long letters read differently.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable

from tracker_integrations.replies.dates import fold

MAX_CHARS = 2000
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[?!]")
_CLAUSE_END = re.compile(r"[.;:!?,\n]")
# Negators in the seven languages, accent-folded. "n't" arrives as part of a token ("don't").
_NEGATORS = frozenset(
    (
        *("not", "no", "never", "nor", "nothing", "none", "cannot"),
        *("pas", "ne", "jamais", "rien", "aucun", "aucune", "non"),
        *("nicht", "kein", "keine", "keinen", "keiner", "nie", "niemals"),
        *("nunca", "nada", "ni", "ningun", "ninguna", "tampoco"),
        *("nessun", "nessuna", "niente", "nemmeno"),  # Italian "mai" would also be French "May"
        *("nao", "nem", "nenhum", "nenhuma"),
        *("niet", "geen", "nooit", "niets"),
    )
)
_SCOPE = 3
_CONTRASTS = frozenset(
    (
        *("but", "however", "though", "although", "still"),
        *("mais", "cependant", "pourtant", "toutefois"),
        *("aber", "doch", "jedoch", "allerdings", "trotzdem"),
        *("pero", "aunque", "embargo"),
        *("ma", "tuttavia", "invece"),  # "però" folds to the Spanish "pero"
        *("mas", "porem", "contudo", "todavia"),
        *("maar", "toch", "echter", "wel"),
    )
)
_SENTENCE_END = re.compile(r"[.;!?\n]")


def _negates(token: str) -> bool:
    return token in _NEGATORS or token.endswith("n't")


def _tokens_with_scope(text: str) -> list[tuple[str, bool]]:
    """Each word with whether it sits in a negation's scope (reset at each clause's end)."""
    out: list[tuple[str, bool]] = []
    for clause in _CLAUSE_END.split(text):
        remaining = 0
        for token in _TOKEN.findall(clause):
            out.append((token, remaining > 0))
            remaining = _SCOPE if _negates(token) else max(0, remaining - 1)
    return out


def _after_contrast(text: str) -> set[str]:
    """Words that follow a contrast in their sentence."""
    found: set[str] = set()
    for sentence in _SENTENCE_END.split(text):
        seen = False
        for token in _TOKEN.findall(sentence):
            if seen:
                found.add(token)
            seen = seen or token in _CONTRASTS
    return found


def _length_bucket(words: int) -> str:
    if words <= 3:
        return "len:tiny"
    if words <= 12:
        return "len:short"
    if words <= 40:
        return "len:medium"
    return "len:long"


def text_features(text: str, extra: Iterable[str] = ()) -> dict[str, float]:
    """The feature bag of one reply text: feature name -> weight (counts damped to at most 1)."""
    folded = fold(text[:MAX_CHARS])
    folded = folded.replace("\u2019", "'")
    scoped = _tokens_with_scope(folded)
    words = [token for token, _ in scoped]
    bag: dict[str, float] = {"bias": 1.0, _length_bucket(len(words)): 1.0}
    for token, negated in scoped:
        # A negated word is different evidence from the word: "not interested" is no sign of interest.
        bag[f"n:{token}" if negated else f"w:{token}"] = 1.0
    for token in _after_contrast(folded):
        bag[f"a:{token}"] = 1.0
    for first, second in itertools.pairwise(words):
        bag[f"b:{first}_{second}"] = 1.0
    for token, negated in scoped:
        if len(token) < 3 or token in {"?", "!"} or negated:
            continue
        marked = f"<{token}>"
        for size in (3, 4, 5):
            for start in range(len(marked) - size + 1):
                bag[f"c:{marked[start : start + size]}"] = 0.5
    for name in extra:
        bag[name] = 1.0
    return bag
