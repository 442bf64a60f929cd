"""Gmail's search-box language (`q` of messages.list and threads.list), for the operators integrations use.

Supported: `from:` `to:` `cc:` `bcc:` `subject:` `after:`/`before:` (YYYY/MM/DD, midnight Pacific time, or
epoch seconds), `newer_than:`/`older_than:` (`2d`, `3m`, `1y`), `in:` (inbox, sent, spam, trash, starred,
anywhere), `label:`, `is:` (unread, read, starred, important), `rfc822msgid:`, `has:attachment`, plain
words and "quoted phrases" (matched as whole words against the subject and text), `-` negation, `OR`,
`{a b}` (any of) and parentheses. An unknown `word:value` is searched as text, as Gmail does.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

# Gmail reads dates in after:/before: as midnight Pacific time.
PACIFIC = ZoneInfo("America/Los_Angeles")
_WORD = re.compile(r"\w+")
_TOKEN = re.compile(
    r'\s*(?:(?P<open>[({])|(?P<close>[)}])|(?P<term>-?(?:[^\s(){}"]*"[^"]*"|[^\s(){}"]+:\([^)]*\)|[^\s(){}"]+)))'
)
_OPERATOR = re.compile(r"[A-Za-z0-9_]+")
_RELATIVE = re.compile(r"^(\d+)([dmy])$")
_RELATIVE_UNITS = {"d": timedelta(days=1), "m": timedelta(days=30), "y": timedelta(days=365)}
_DATE_FORMATS = ("%Y/%m/%d", "%Y-%m-%d", "%m/%d/%Y")
_IN_LABELS = {"inbox": "INBOX", "sent": "SENT", "spam": "SPAM", "trash": "TRASH", "starred": "STARRED"}
_IS_LABELS = {"starred": "STARRED", "important": "IMPORTANT", "unread": "UNREAD"}


class QueryError(ValueError):
    pass


def words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


@dataclass(frozen=True)
class Searchable:
    """What a query looks at in one message."""

    owner: str
    from_text: str
    to_text: str
    cc_text: str
    bcc_text: str
    subject_words: tuple[str, ...]
    text_words: tuple[str, ...]
    labels: frozenset[str]
    internal_date_ms: int
    message_id: str
    has_attachment: bool


Predicate = Callable[[Searchable], bool]


def _contains_run(haystack: tuple[str, ...], needle: list[str]) -> bool:
    if not needle:
        return True
    width = len(needle)
    return any(list(haystack[i : i + width]) == needle for i in range(len(haystack) - width + 1))


@dataclass
class Query:
    predicate: Predicate
    # in:spam, in:trash, in:anywhere (or the labels) lift the default exclusion of spam and trash.
    includes_spam_trash: bool = False


@dataclass
class _Parser:
    text: str
    now: datetime
    label_ids: Callable[[str], str | None]
    tokens: list[tuple[str, str]] = field(default_factory=list)
    pos: int = 0
    includes_spam_trash: bool = False

    def parse(self) -> Query:
        self.tokens = self._tokenize()
        predicate = self._or() if self.tokens else (lambda _m: True)
        if self.pos != len(self.tokens):
            raise QueryError(self.text)
        return Query(predicate, self.includes_spam_trash)

    def _tokenize(self) -> list[tuple[str, str]]:
        tokens: list[tuple[str, str]] = []
        pos = 0
        while self.text[pos:].strip():
            match = _TOKEN.match(self.text, pos)
            if match is None or match.lastgroup is None:
                raise QueryError(self.text)
            tokens.append((match.lastgroup, match.group(match.lastgroup)))
            pos = match.end()
        return tokens

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _or(self) -> Predicate:
        parts = [self._and()]
        while self._peek() == ("term", "OR"):
            self.pos += 1
            parts.append(self._and())
        return parts[0] if len(parts) == 1 else lambda m: any(p(m) for p in parts)

    def _and(self) -> Predicate:
        parts: list[Predicate] = []
        while (token := self._peek()) is not None and token[0] != "close" and token != ("term", "OR"):
            if token == ("term", "AND"):
                self.pos += 1
                continue
            parts.append(self._unary())
        if not parts:
            raise QueryError(self.text)
        return parts[0] if len(parts) == 1 else lambda m: all(p(m) for p in parts)

    def _unary(self) -> Predicate:
        kind, text = self.tokens[self.pos]
        self.pos += 1
        if kind == "open":
            return self._group(any_of=text == "{")
        if text == "-" and (following := self._peek()) is not None and following[0] == "open":
            self.pos += 1
            group = self._group(any_of=following[1] == "{")
            return lambda m: not group(m)
        negated = text.startswith("-") and len(text) > 1
        term = self._term(text[1:] if negated else text)
        return (lambda m: not term(m)) if negated else term

    def _group(self, *, any_of: bool) -> Predicate:
        if any_of:
            parts: list[Predicate] = []
            while (token := self._peek()) is not None and token[0] != "close":
                parts.append(self._unary())
            inner: Predicate = lambda m: any(p(m) for p in parts)  # noqa: E731
        else:
            inner = self._or()
        closing = self._peek()
        if closing is None or closing[0] != "close":
            raise QueryError(self.text)
        self.pos += 1
        return inner

    def _term(self, text: str) -> Predicate:
        operator, colon, value = text.partition(":")
        if colon and _OPERATOR.fullmatch(operator) and value:
            value = value.strip('"')
            if value.startswith("(") and value.endswith(")"):
                value = value[1:-1]
            known = self._operator(operator.lower(), value)
            if known is not None:
                return known
        return self._text(text.strip('"'))

    @staticmethod
    def _text(value: str) -> Predicate:
        needle = words(value)
        return lambda m: _contains_run(m.subject_words, needle) or _contains_run(m.text_words, needle)

    def _operator(self, operator: str, value: str) -> Predicate | None:
        lowered = value.casefold()
        if operator in {"from", "to", "cc", "bcc"}:
            return self._address(operator, lowered)
        if operator == "subject":
            needle = words(value)
            return lambda m: _contains_run(m.subject_words, needle)
        if operator in {"after", "before", "newer_than", "older_than"}:
            return self._time(operator, lowered)
        if operator in {"in", "label", "is"}:
            return self._label(operator, lowered)
        if operator == "rfc822msgid":
            wanted = lowered.strip("<>")
            return lambda m: m.message_id.casefold().strip("<>") == wanted
        if operator == "has" and lowered == "attachment":
            return lambda m: m.has_attachment
        return None

    @staticmethod
    def _address(operator: str, value: str) -> Predicate:
        def matches(m: Searchable) -> bool:
            text = {"from": m.from_text, "to": m.to_text, "cc": m.cc_text, "bcc": m.bcc_text}[operator]
            if operator == "to":
                text = f"{m.to_text} {m.cc_text} {m.bcc_text}"
            needle = m.owner.casefold() if value == "me" else value
            return needle in text

        return matches

    def _time(self, operator: str, value: str) -> Predicate:
        if operator in {"newer_than", "older_than"}:
            relative = _RELATIVE.match(value)
            if relative is None:
                raise QueryError(self.text)
            cutoff = int((self.now - int(relative.group(1)) * _RELATIVE_UNITS[relative.group(2)]).timestamp() * 1000)
            if operator == "newer_than":
                return lambda m: m.internal_date_ms >= cutoff
            return lambda m: m.internal_date_ms < cutoff
        moment = _moment_ms(value)
        if moment is None:
            raise QueryError(self.text)
        if operator == "after":
            return lambda m: m.internal_date_ms >= moment
        return lambda m: m.internal_date_ms < moment

    def _label(self, operator: str, value: str) -> Predicate:
        if operator == "in" and value == "anywhere":
            self.includes_spam_trash = True
            return lambda m: True
        if operator == "is" and value == "read":
            return lambda m: "UNREAD" not in m.labels
        table = {"in": _IN_LABELS, "is": _IS_LABELS}.get(operator, {})
        label = table.get(value) or (self.label_ids(value) if operator != "is" else None)
        if label is None:
            # Gmail answers an unknown label with no results rather than an error.
            return lambda m: False
        if label in {"SPAM", "TRASH"}:
            self.includes_spam_trash = True
        return lambda m: label in m.labels


def _moment_ms(value: str) -> int | None:
    if value.isdigit():
        return int(value) * 1000
    for pattern in _DATE_FORMATS:
        try:
            day = datetime.strptime(value, pattern)
        except ValueError:
            continue
        return int(day.replace(tzinfo=PACIFIC).timestamp() * 1000)
    return None


def parse_query(text: str, now: datetime, label_ids: Callable[[str], str | None]) -> Query:
    """`label_ids(name)` resolves a label name (case-insensitive, as typed after label:) to its id."""
    return _Parser(text, now, label_ids).parse()
