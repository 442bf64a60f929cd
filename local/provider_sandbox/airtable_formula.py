"""The part of Airtable's formula language a sync's `filterByFormula` uses, parsed and evaluated per record.

Served: field references `{Name}`, strings ('..' or "..", backslash escapes), numbers, `&`, the
comparisons = != < > <= >=, and the functions AND, OR, NOT, TRUE, FALSE, BLANK, RECORD_ID,
CREATED_TIME, LAST_MODIFIED_TIME, DATETIME_PARSE (ISO 8601 only), IS_BEFORE, IS_AFTER, LOWER, UPPER,
TRIM, LEN. Anything else is an invalid formula (422 INVALID_FILTER_BY_FORMULA), as a typo would be.

Values compare as Airtable does for these types: an empty cell equals "" and BLANK(), a checkbox is
1 or 0, a multiple-select or link is its comma-joined text, and a date/time compares with a date/time
string by instant.
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from provider_sandbox.airtable_cells import parse_datetime

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<number>\d+(?:\.\d+)?)
      | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
      | (?P<field>\{[^}]*\})
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<op><=|>=|!=|=|<|>|&|\(|\)|,|-)
    )""",
    re.VERBOSE,
)


class FormulaError(Exception):
    """The formula does not parse, or names a field or function the table or the sandbox does not know."""


@dataclass(frozen=True)
class RecordView:
    """What a formula can read of one record: cell values by field name, and its metadata."""

    record_id: str
    created_time: datetime
    last_modified_time: datetime
    cells: Mapping[str, Any]


Node = Callable[[RecordView], Any]


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        found = _TOKEN.match(text, position)
        if found is None or found.end() == position:
            raise FormulaError(f"unexpected text at {position}")
        kind = found.lastgroup
        assert kind is not None
        tokens.append((kind, found.group(kind)))
        position = found.end()
    return tokens


def _unquote(literal: str) -> str:
    return re.sub(r"\\(.)", r"\1", literal[1:-1])


def _as_text(value: Any) -> str:
    if value is None or value is False:
        return ""
    if value is True:
        return "1"
    if isinstance(value, list):
        return ", ".join(_as_text(v) for v in value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _as_moment(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return parse_datetime(date.fromisoformat(value).isoformat() + "T00:00:00Z")
        return parse_datetime(value)
    return None


def _comparable(left: Any, right: Any) -> tuple[Any, Any]:
    """Both sides as one kind: instants if either is a date/time, numbers if both are, else text."""
    if isinstance(left, datetime) or isinstance(right, datetime):
        left_moment, right_moment = _as_moment(left), _as_moment(right)
        if left_moment is not None and right_moment is not None:
            return left_moment, right_moment
    a, b = (1 if v is True else 0 if v is False or v is None else v for v in (left, right))
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a, b
    return _as_text(left), _as_text(right)


def _compare(op: str, left: Any, right: Any) -> bool:
    a, b = _comparable(left, right)
    if op in {"=", "!="}:
        return bool(a == b) == (op == "=")
    if a is None or b is None or (type(a) is not type(b) and not all(isinstance(v, int | float) for v in (a, b))):
        return False
    return bool({"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op])


def _truthy(value: Any) -> bool:
    return value not in (None, "", 0, False, [])


def _datetime_parse(value: Any) -> datetime:
    moment = _as_moment(_as_text(value))
    if moment is None:
        raise FormulaError("DATETIME_PARSE needs an ISO 8601 date or time")
    return moment


_FUNCTIONS: dict[str, tuple[int | None, Callable[..., Any]]] = {
    # name: (argument count or None for any, implementation over evaluated arguments)
    "AND": (None, lambda *args: all(_truthy(a) for a in args)),
    "OR": (None, lambda *args: any(_truthy(a) for a in args)),
    "NOT": (1, lambda a: not _truthy(a)),
    "TRUE": (0, lambda: True),
    "FALSE": (0, lambda: False),
    "BLANK": (0, lambda: None),
    "DATETIME_PARSE": (1, _datetime_parse),
    "IS_BEFORE": (2, lambda a, b: _compare("<", _as_moment(a), _as_moment(b))),
    "IS_AFTER": (2, lambda a, b: _compare(">", _as_moment(a), _as_moment(b))),
    "LOWER": (1, lambda a: _as_text(a).lower()),
    "UPPER": (1, lambda a: _as_text(a).upper()),
    "TRIM": (1, lambda a: _as_text(a).strip()),
    "LEN": (1, lambda a: len(_as_text(a))),
}
_RECORD_FUNCTIONS: dict[str, Callable[[RecordView], Any]] = {
    "RECORD_ID": lambda record: record.record_id,
    "CREATED_TIME": lambda record: record.created_time,
    "LAST_MODIFIED_TIME": lambda record: record.last_modified_time,
}
_COMPARISONS = {"=", "!=", "<", ">", "<=", ">="}


class _Parser:
    def __init__(self, text: str, field_names: set[str]) -> None:
        self.tokens = _tokens(text)
        self.position = 0
        self.field_names = field_names

    def parse(self) -> Node:
        node = self.comparison()
        if self.position != len(self.tokens):
            raise FormulaError("unexpected text after the formula")
        return node

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (value is not None and token[1] != value):
            raise FormulaError(f"expected {value or 'more'}")
        self.position += 1
        return token

    def comparison(self) -> Node:
        left = self.concat()
        token = self.peek()
        if token is not None and token[0] == "op" and token[1] in _COMPARISONS:
            op = self.take()[1]
            right = self.concat()
            return lambda record: _compare(op, left(record), right(record))
        return left

    def concat(self) -> Node:
        parts = [self.primary()]
        while self.peek() == ("op", "&"):
            self.take()
            parts.append(self.primary())
        if len(parts) == 1:
            return parts[0]
        return lambda record: "".join(_as_text(part(record)) for part in parts)

    def primary(self) -> Node:
        kind, value = self.take()
        if kind == "number":
            number = float(value) if "." in value else int(value)
            return lambda _record: number
        if kind == "op" and value == "-":
            inner = self.primary()
            return lambda record: -inner(record)
        if kind == "string":
            text = _unquote(value)
            return lambda _record: text
        if kind == "field":
            name = value[1:-1]
            if name not in self.field_names:
                raise FormulaError(f"Unknown field names: {name.lower()}")
            return lambda record: record.cells.get(name)
        if kind == "op" and value == "(":
            inner = self.comparison()
            self.take(")")
            return inner
        if kind == "name":
            return self.call(value.upper())
        raise FormulaError(f"unexpected {value!r}")

    def call(self, name: str) -> Node:
        self.take("(")
        args: list[Node] = []
        if self.peek() != ("op", ")"):
            args.append(self.comparison())
            while self.peek() == ("op", ","):
                self.take()
                args.append(self.comparison())
        self.take(")")
        if name in _RECORD_FUNCTIONS and not args:
            return _RECORD_FUNCTIONS[name]
        if name not in _FUNCTIONS:
            raise FormulaError(f"unknown function {name}")
        arity, function = _FUNCTIONS[name]
        if arity is not None and len(args) != arity:
            raise FormulaError(f"{name} takes {arity} arguments")
        return lambda record: function(*(arg(record) for arg in args))


def compile_formula(text: str, field_names: set[str]) -> Node:
    """The formula as a predicate over records (truthy = kept); raises FormulaError."""
    node = _Parser(text, field_names).parse()
    return lambda record: _truthy(node(record))
