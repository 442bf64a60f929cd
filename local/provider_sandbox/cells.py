"""Cell values: what a user (or `valueInputOption`) enters and how the Sheets API renders it back.

A cell keeps its user-entered value (a string, number, boolean or formula text) and, for numbers typed in
a recognised form, the number format the sheet inferred: `2024-03-05` becomes the date serial 45356 with
pattern `yyyy-mm-dd`, `1,234` becomes 1234 with `#,##0`, `50%` becomes 0.5 with `0%`. Rendering follows the
`valueRenderOption`:

- FORMATTED_VALUE: text, as shown in the cell (numbers and dates through their format);
- UNFORMATTED_VALUE: numbers as numbers, booleans as booleans, dates as serials (or, with
  `dateTimeRenderOption=FORMATTED_STRING`, as their formatted text);
- FORMULA: like UNFORMATTED_VALUE, except formula cells give their formula text.

Formulas are not really evaluated: arithmetic on literals (`=1+2*3`), string and boolean literals and
`HYPERLINK(url, label)` compute; a bare name (`=foo`, `=+foo`) is `#NAME?`; anything else renders as the
error `#ERROR!`.

Typed (USER_ENTERED) input is read in the spreadsheet's locale: `3/5/2024` is 5 March in en_US, 3 May in
en_GB, and text in de_DE (which types `3.5.2024`); text starting with `+` is a formula, as in the Sheets UI.
No cell may hold more than 50,000 characters.
"""

import ast
import math
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from pydantic import JsonValue

ValueKind = Literal["stringValue", "numberValue", "boolValue", "formulaValue"]
ValueRender = Literal["FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA"]
DateTimeRender = Literal["SERIAL_NUMBER", "FORMATTED_STRING"]
InputOption = Literal["RAW", "USER_ENTERED"]
# What a values.* request or a control call may put in a cell (None skips the cell).
InputValue = str | int | float | bool | None
# What a values.* response holds in a cell.
OutputValue = str | int | float | bool

VALUE_RENDERS: tuple[ValueRender, ...] = ("FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA")
DATE_TIME_RENDERS: tuple[DateTimeRender, ...] = ("SERIAL_NUMBER", "FORMATTED_STRING")
INPUT_OPTIONS: tuple[InputOption, ...] = ("RAW", "USER_ENTERED")

# Day 0 of Google Sheets (and Lotus 1-2-3) date serials.
EPOCH = datetime(1899, 12, 30)
ERROR_TEXT = "#ERROR!"
UNEVALUATED = "The provider sandbox does not evaluate this formula."


@dataclass(frozen=True, slots=True)
class NumberFormat:
    # NUMBER, PERCENT, DATE, TIME or DATE_TIME (the Sheets NumberFormat.type values used here).
    type: str
    pattern: str

    def as_json(self) -> dict[str, JsonValue]:
        return {"type": self.type, "pattern": self.pattern}


@dataclass(frozen=True, slots=True)
class FormulaError:
    text: str = ERROR_TEXT
    message: str = UNEVALUATED
    # ErrorValue.type: ERROR, NAME, DIVIDE_BY_ZERO...
    type: str = "ERROR"


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell: its user-entered value, inferred number format and data-validation rule."""

    kind: ValueKind | None = None
    value: str | float | bool | None = None
    number_format: NumberFormat | None = None
    # A DataValidationRule as the API received it.
    validation: dict[str, JsonValue] | None = None

    @property
    def has_value(self) -> bool:
        return self.kind is not None

    @property
    def is_empty(self) -> bool:
        return self.kind is None and self.validation is None and self.number_format is None

    def user_entered_json(self) -> dict[str, JsonValue] | None:
        """ExtendedValue: {stringValue|numberValue|boolValue|formulaValue: ...}."""
        if self.kind is None:
            return None
        value = self.value
        if self.kind == "numberValue" and isinstance(value, float):
            return {self.kind: json_number(value)}
        return {self.kind: value}

    def user_entered_text(self) -> str:
        """What the formula bar shows."""
        if self.kind in {"formulaValue", "stringValue"}:
            return str(self.value)
        return self.formatted()

    # Rendering ---------------------------------------------------------------------------------

    def effective(self) -> str | float | bool | FormulaError | None:
        if self.kind == "formulaValue":
            return evaluate(str(self.value))
        return self.value

    def formatted(self) -> str:
        value = self.effective()
        if value is None:
            return ""
        if isinstance(value, FormulaError):
            return value.text
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        if isinstance(value, float):
            return format_number(value, self.number_format)
        return value

    def render(self, option: ValueRender, date_time: DateTimeRender = "SERIAL_NUMBER") -> OutputValue:
        """The value a values.* response carries for this cell ("" for an empty one)."""
        if option == "FORMATTED_VALUE":
            return self.formatted()
        if option == "FORMULA" and self.kind == "formulaValue":
            return str(self.value)
        value = self.effective()
        if value is None:
            return ""
        if isinstance(value, FormulaError):
            return value.text
        if isinstance(value, float):
            if date_time == "FORMATTED_STRING" and self._is_date_time():
                return self.formatted()
            return json_number(value)
        return value

    def _is_date_time(self) -> bool:
        return self.number_format is not None and self.number_format.type in {"DATE", "TIME", "DATE_TIME"}

    def effective_json(self) -> dict[str, JsonValue] | None:
        value = self.effective()
        if value is None:
            return None
        if isinstance(value, FormulaError):
            return {"errorValue": {"type": value.type, "message": value.message}}
        if isinstance(value, bool):
            return {"boolValue": value}
        if isinstance(value, float):
            return {"numberValue": json_number(value)}
        return {"stringValue": value}


def json_number(value: float) -> int | float:
    """Google's JSON prints whole doubles without a fraction: 42, not 42.0."""
    if value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


# Input ---------------------------------------------------------------------------------------------


class InvalidValue(ValueError):
    """A value a values.* request cannot store (a list or an object)."""


# Sheets refuses a cell holding more text than this, whatever the input option or request.
MAX_CELL_CHARACTERS = 50_000
CELL_TOO_LONG = f"Your input contains more than the maximum of {MAX_CELL_CHARACTERS} characters in a single cell."


class CellTooLong(InvalidValue):
    """Text over Sheets' 50,000-character cell limit."""

    def __init__(self) -> None:
        super().__init__(CELL_TOO_LONG)


def check_length(text: str) -> str:
    if len(text) > MAX_CELL_CHARACTERS:
        raise CellTooLong
    return text


def entered(value: JsonValue, option: InputOption, locale: str = "en_US") -> Cell | None:
    """The cell a values.* input value makes; None skips the cell (JSON null). "" clears it."""
    if value is None:
        return None
    if isinstance(value, bool):
        return Cell("boolValue", value)
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            raise InvalidValue(f"Invalid value: {value}")
        return Cell("numberValue", float(value))
    if not isinstance(value, str):
        raise InvalidValue(f"Invalid values: {value!r} is not a string, number or boolean")
    if value == "":
        return Cell()
    check_length(value)
    if option == "RAW":
        return Cell("stringValue", value)
    return parse_user_entered(value, locale)


def parse_user_entered(text: str, locale: str = "en_US") -> Cell:
    """What Sheets makes of text typed into a cell of a spreadsheet in `locale` (its properties.locale)."""
    if text.startswith("'"):
        # A leading apostrophe forces text and is not part of the value.
        return Cell("stringValue", text[1:]) if len(text) > 1 else Cell()
    if text.startswith("=") and len(text) > 1:
        return Cell("formulaValue", text)
    stripped = text.strip()
    if stripped.upper() in {"TRUE", "FALSE"}:
        return Cell("boolValue", stripped.upper() == "TRUE")
    number = _parse_number(stripped)
    if number is not None:
        return number
    moment = _parse_date_time(stripped, locale)
    if moment is not None:
        return moment
    if text.startswith("+") and len(text) > 1:
        # As in the Sheets UI, a leading + starts a formula (Lotus style): "+foo" is =+foo, a #NAME? error.
        return Cell("formulaValue", "=" + text)
    return Cell("stringValue", text)


_PLAIN_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
_GROUPED_NUMBER = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.(\d+))?$")
_PERCENT = re.compile(r"^([+-]?(?:\d+\.?(\d*)|\.(\d+)))\s*%$")


def _decimals_pattern(base: str, decimals: int) -> str:
    return base + ("." + "0" * decimals if decimals else "")


def _parse_number(text: str) -> Cell | None:
    if _PLAIN_NUMBER.fullmatch(text):
        return Cell("numberValue", float(text))
    grouped = _GROUPED_NUMBER.fullmatch(text)
    if grouped:
        decimals = len(grouped.group(1) or "")
        pattern = _decimals_pattern("#,##0", decimals)
        return Cell("numberValue", float(text.replace(",", "")), NumberFormat("NUMBER", pattern))
    percent = _PERCENT.fullmatch(text)
    if percent:
        decimals = len(percent.group(2) or percent.group(3) or "")
        pattern = _decimals_pattern("0", decimals) + "%"
        return Cell("numberValue", float(percent.group(1)) / 100, NumberFormat("PERCENT", pattern))
    return None


_TIME = r"(\d{1,2}):(\d{2})(?::(\d{2}))?"
DateForm = tuple[re.Pattern[str], str, tuple[int, int, int]]
# (regex, date pattern, year/month/day group order); ISO order is understood in every locale.
_ISO_FORMS: tuple[DateForm, ...] = (
    (re.compile(rf"^(\d{{4}})-(\d{{1,2}})-(\d{{1,2}})(?:\s+{_TIME})?$"), "yyyy-mm-dd", (1, 2, 3)),
    (re.compile(rf"^(\d{{4}})/(\d{{1,2}})/(\d{{1,2}})(?:\s+{_TIME})?$"), "yyyy/mm/dd", (1, 2, 3)),
)


def _short_form(separator: str, pattern: str, order: tuple[int, int, int]) -> DateForm:
    sep = re.escape(separator)
    return re.compile(rf"^(\d{{1,2}}){sep}(\d{{1,2}}){sep}(\d{{4}})(?:\s+{_TIME})?$"), pattern, order


_MONTH_FIRST = _short_form("/", "M/d/yyyy", (3, 1, 2))
_DAY_FIRST_SLASH = _short_form("/", "dd/mm/yyyy", (3, 2, 1))
_DAY_FIRST_DOT = _short_form(".", "dd.mm.yyyy", (3, 2, 1))
# How a spreadsheet's locale reads a short typed date (the ones tests use; other locales read day first).
LOCALE_DATE_FORMS: dict[str, tuple[DateForm, ...]] = {
    "en_US": (_MONTH_FIRST,),
    "es_US": (_MONTH_FIRST,),
    "en_PH": (_MONTH_FIRST,),
    "de_DE": (_DAY_FIRST_DOT,),
    "de_AT": (_DAY_FIRST_DOT,),
    "de_CH": (_DAY_FIRST_DOT,),
    "ru_RU": (_DAY_FIRST_DOT,),
    "pl_PL": (_DAY_FIRST_DOT,),
}
_DEFAULT_FORMS: tuple[DateForm, ...] = (_DAY_FIRST_SLASH,)


def date_forms(locale: str) -> tuple[DateForm, ...]:
    return _ISO_FORMS + LOCALE_DATE_FORMS.get(locale, _DEFAULT_FORMS)


_TIME_ONLY = re.compile(rf"^{_TIME}$")


def _time_pattern(seconds: str | None) -> str:
    return "H:mm:ss" if seconds is not None else "H:mm"


def _parse_date_time(text: str, locale: str = "en_US") -> Cell | None:
    for regex, date_pattern, (y, m, d) in date_forms(locale):
        match = regex.fullmatch(text)
        if match is None:
            continue
        hour, minute, second = match.group(4), match.group(5), match.group(6)
        try:
            moment = datetime(
                int(match.group(y)),
                int(match.group(m)),
                int(match.group(d)),
                int(hour or 0),
                int(minute or 0),
                int(second or 0),
            )
        except ValueError:
            return None
        if hour is None:
            return Cell("numberValue", to_serial(moment), NumberFormat("DATE", date_pattern))
        pattern = f"{date_pattern} {_time_pattern(second)}"
        return Cell("numberValue", to_serial(moment), NumberFormat("DATE_TIME", pattern))
    match = _TIME_ONLY.fullmatch(text)
    if match is not None:
        hours, minutes, seconds = int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)
        if hours > 23 or minutes > 59 or seconds > 59:
            return None
        serial = (hours * 3600 + minutes * 60 + seconds) / 86400
        return Cell("numberValue", serial, NumberFormat("TIME", _time_pattern(match.group(3))))
    return None


def to_serial(moment: datetime | date) -> float:
    if not isinstance(moment, datetime):
        moment = datetime(moment.year, moment.month, moment.day)
    delta = moment - EPOCH
    return delta.days + delta.seconds / 86400


def from_serial(serial: float) -> datetime:
    # Rounded to the second, as Sheets displays.
    return EPOCH + timedelta(seconds=round(serial * 86400))


# Output formatting ---------------------------------------------------------------------------------


def format_number(value: float, number_format: NumberFormat | None) -> str:
    if number_format is None:
        return _general(value)
    if number_format.type in {"DATE", "TIME", "DATE_TIME"}:
        return format_date_time(value, number_format.pattern)
    return _numeric_pattern(value, number_format.pattern)


def _general(value: float) -> str:
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = f"{value:.15g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}E{exponent[0]}{int(exponent[1:]):02d}"
    return text


def _numeric_pattern(value: float, pattern: str) -> str:
    percent = pattern.endswith("%")
    if percent:
        value *= 100
    _, _, fraction = pattern.rstrip("%").partition(".")
    decimals = fraction.count("0")
    grouping = "," if "," in pattern else ""
    text = f"{value:{grouping}.{decimals}f}"
    return text + ("%" if percent else "")


_DATE_TOKENS = re.compile(r"yyyy|yy|mm|m|MM|M|dd|d|HH|H|hh|h|ss|s")


def format_date_time(serial: float, pattern: str) -> str:
    """Render a serial with a Sheets date/time pattern (the subset the sandbox infers)."""
    moment = from_serial(serial)
    tokens = list(_DATE_TOKENS.finditer(pattern))
    out: list[str] = []
    last = 0
    for position, match in enumerate(tokens):
        out.append(pattern[last : match.start()])
        token = match.group()
        previous = tokens[position - 1].group() if position else ""
        following = tokens[position + 1].group() if position + 1 < len(tokens) else ""
        # As in Sheets, m/mm after an hour or before seconds means minutes.
        minutes = token in {"m", "mm"} and (previous.lower().startswith("h") or following.startswith("s"))
        out.append(_date_token(moment, token, minutes=minutes))
        last = match.end()
    out.append(pattern[last:])
    return "".join(out)


def _date_token(moment: datetime, token: str, *, minutes: bool) -> str:
    table: dict[str, Callable[[datetime], str]] = {
        "yyyy": lambda m: f"{m.year:04d}",
        "yy": lambda m: f"{m.year % 100:02d}",
        "dd": lambda m: f"{m.day:02d}",
        "d": lambda m: str(m.day),
        "HH": lambda m: f"{m.hour:02d}",
        "H": lambda m: str(m.hour),
        "hh": lambda m: f"{m.hour:02d}",
        "h": lambda m: str(m.hour),
        "ss": lambda m: f"{m.second:02d}",
        "s": lambda m: str(m.second),
    }
    if token in {"m", "mm", "M", "MM"}:
        number = moment.minute if minutes else moment.month
        return f"{number:02d}" if len(token) == 2 else str(number)
    return table[token](moment)


# Formulas ------------------------------------------------------------------------------------------

_BINARY: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}
_HYPERLINK = re.compile(r'^=\s*HYPERLINK\(\s*"((?:[^"]|"")*)"\s*(?:[,;]\s*"((?:[^"]|"")*)"\s*)?\)\s*$', re.IGNORECASE)
_STRING = re.compile(r'^=\s*"((?:[^"]|"")*)"\s*$')
# A bare name, possibly signed (=+foo): Sheets looks it up as a named range and finds none.
_NAME = re.compile(r"^[+-]?\s*([A-Za-z_][A-Za-z0-9_.]*)$")
_CELL_REFERENCE = re.compile(r"^[A-Za-z]{1,3}[0-9]+$")
_ARITHMETIC = re.compile(r"^[0-9.+\-*/^()\s eE]+$")


def evaluate(formula: str) -> str | float | bool | FormulaError:
    """The value of the formulas the sandbox understands; FormulaError for the rest."""
    link = _HYPERLINK.fullmatch(formula)
    if link:
        return (link.group(2) if link.group(2) is not None else link.group(1)).replace('""', '"')
    literal = _STRING.fullmatch(formula)
    if literal:
        return literal.group(1).replace('""', '"')
    body = formula[1:].strip()
    if body.upper() in {"TRUE", "FALSE", "TRUE()", "FALSE()"}:
        return body.upper().startswith("TRUE")
    name = _NAME.fullmatch(body)
    if name and not _CELL_REFERENCE.fullmatch(name.group(1)):
        return FormulaError("#NAME?", f"Unknown range name: '{name.group(1).upper()}'.", "NAME")
    if _ARITHMETIC.fullmatch(body):
        try:
            result = _arithmetic(ast.parse(body.replace("^", "**"), mode="eval").body)
        except ZeroDivisionError:
            return FormulaError("#DIV/0!", "Function DIVIDE parameter 2 cannot be zero.", "DIVIDE_BY_ZERO")
        except (SyntaxError, ValueError, OverflowError):
            return FormulaError()
        return result
    return FormulaError()


def _arithmetic(node: ast.expr) -> float:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        operand = _arithmetic(node.operand)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _arithmetic(node.left), _arithmetic(node.right)
        if isinstance(node.op, ast.Pow) and abs(right) > 1000:
            raise ValueError("exponent too large")
        return _BINARY[type(node.op)](left, right)
    raise ValueError("not arithmetic")
