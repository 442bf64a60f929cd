"""Return dates in out-of-office texts, in English, French, German, Spanish, Italian, Portuguese and Dutch.

The year, when the text leaves it out, comes from the message's Date header: the first such date on
or after the day the message was sent (a reply sent on 20 December saying "back on 5 January" means
the next January).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "january jan janvier janv januar janner jaenner enero ene gennaio genn janeiro januari",
        "february feb febr fevrier fev februar febrero febbraio fevereiro fev februari",
        "march mar mars marz maerz marzo marco maart mrt",
        "april apr avril abril aprile abr",
        "may mai mayo maggio maio mei",
        "june jun juin juni junio giugno junho",
        "july jul juillet juil juli julio luglio julho",
        "august aug aout agosto augustus",
        "september sep sept septembre settembre setembro septiembre setiembre",
        "october oct octobre oktober okt octubre ottobre outubro",
        "november nov novembre noviembre novembro",
        "december dec decembre dezember dez diciembre dic dicembre dezembro december",
    ),
    start=1,
):
    for _name in _names.split():
        _MONTHS.setdefault(_name, _number)

_WEEKDAYS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "monday lundi montag lunes lunedi segunda maandag",
        "tuesday mardi dienstag martes martedi terca dinsdag",
        "wednesday mercredi mittwoch miercoles mercoledi quarta woensdag",
        "thursday jeudi donnerstag jueves giovedi quinta donderdag",
        "friday vendredi freitag viernes venerdi sexta vrijdag",
        "saturday samedi samstag sonnabend sabado sabato zaterdag",
        "sunday dimanche sonntag domingo domenica zondag",
    )
):
    for _name in _names.split():
        _WEEKDAYS[_name] = _number

# Month names that are also common words ("may", "mar" is the sea, "mei" ...) are left out: words of four
# letters or more only, for the intent model's date feature.
MONTH_WORDS = frozenset(name for name in _MONTHS if len(name) >= 4 and name not in {"mayo", "mars", "marco"})
_MONTH_ALT = "|".join(sorted(_MONTHS, key=len, reverse=True))
# A day and a month's name, any abbreviation ("19 dec", "6. marz", "7 de enero"): a date in any wording.
DAY_AND_MONTH = re.compile(rf"\b\d{{1,2}}\.?\s+(?:de\s+)?(?:{_MONTH_ALT})\b")
_WEEKDAY_ALT = "|".join(sorted(_WEEKDAYS, key=len, reverse=True))
# Weekday names in the seven languages, accent-free (a regular-expression alternation).
WEEKDAY_NAMES = _WEEKDAY_ALT

# Words after which the next date is the return date (or the last day away), accent-free and lower case.
_CUE = re.compile(
    r"\b(?:back|return(?:ing)?|returns|in the office|until|till|til|through|thru|to|from|on|after|"
    r"retour|de retour|rentre|reprendrai|jusqu'?au|jusqu'?a|a partir du|des le|"
    r"zuruck|zurueck|wieder|bis|ab|am|ab dem|ab den|"
    r"hasta|regreso|vuelvo|volvere|a partir del|desde el|"
    r"rientro|rientrero|fino al|fino a|sino al|dal|torno|"
    r"ate|volto|voltarei|regresso|retorno|a partir de|"
    r"terug|tot en met|tot|vanaf|weer)\b",
)
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th|er|eme|o|º|°|\.)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_TEXT_DAY_MONTH = re.compile(
    rf"\b{_DAY}\s*(?:de\s+|of\s+)?(?P<month>{_MONTH_ALT})\b\.?(?:,?\s*(?:de\s+)?{_YEAR})?",
)
_TEXT_MONTH_DAY = re.compile(rf"\b(?P<month>{_MONTH_ALT})\.?\s+{_DAY}\b(?:,?\s*{_YEAR})?")
_NUMERIC = re.compile(
    r"(?<![\d./-])(?P<a>\d{1,2})[./-](?P<b>\d{1,2})(?:[./-](?P<year>(?:19|20)?\d\d))?(?![\d/-]|\.\d|\s?[ap]\.?m\b|\s?h\b|\s?uhr\b)"
)
_ISO = re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<month>\d{1,2})-(?P<day>\d{1,2})\b")
_WEEKDAY_ONLY = re.compile(rf"\b(?:next\s+|prochain\s+|kommenden\s+)?(?P<weekday>{_WEEKDAY_ALT})\b")


def fold(text: str) -> str:
    """Lower case without accents, so patterns can be written once in plain ASCII."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _make(day: int, month: int, year: int | None, sent: date) -> date | None:
    try:
        if year is not None:
            if year < 100:
                year += 2000
            return date(year, month, day)
        candidate = date(sent.year, month, day)
    except ValueError:
        return None
    # A date well before the message was sent, with no year given, means next year.
    if candidate < sent - timedelta(days=7):
        try:
            candidate = date(sent.year + 1, month, day)
        except ValueError:
            return None
    return candidate


def _candidates(text: str, sent: date) -> list[tuple[int, date]]:
    found: list[tuple[int, date]] = []
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int, value: date | None) -> None:
        if value is None or any(s < end and start < e for s, e in taken):
            return
        taken.append((start, end))
        found.append((start, value))

    for match in _ISO.finditer(text):
        add(match.start(), match.end(), _make(int(match["day"]), int(match["month"]), int(match["year"]), sent))
    for match in _TEXT_DAY_MONTH.finditer(text):
        year = int(match["year"]) if match["year"] else None
        add(match.start(), match.end(), _make(int(match["day"]), _MONTHS[match["month"]], year, sent))
    for match in _TEXT_MONTH_DAY.finditer(text):
        year = int(match["year"]) if match["year"] else None
        add(match.start(), match.end(), _make(int(match["day"]), _MONTHS[match["month"]], year, sent))
    for match in _NUMERIC.finditer(text):
        first, second = int(match["a"]), int(match["b"])
        # Day first, as in most of Tracker's markets, unless that cannot be a date (US order).
        day, month = first, second
        if second > 12 and "/" in match.group(0):
            day, month = second, first
        year = int(match["year"]) if match["year"] else None
        if year is None and "." not in match.group(0) and "/" not in match.group(0):
            continue  # "10-31" alone is a range of numbers more often than a date
        add(match.start(), match.end(), _make(day, month, year, sent))
    return sorted(found)


def _weekday_after(text: str, sent: date) -> date | None:
    match = _WEEKDAY_ONLY.search(text)
    if not match:
        return None
    ahead = (_WEEKDAYS[match["weekday"]] - sent.weekday()) % 7 or 7
    return sent + timedelta(days=ahead)


def find_return_date(text: str, sent: date) -> date | None:
    """The stated return date: the first date after a return cue, else the last date mentioned."""
    folded = fold(text)[:20_000]
    candidates = _candidates(folded, sent)
    if not candidates:
        for cue in _CUE.finditer(folded):
            weekday = _weekday_after(folded[cue.end() : cue.end() + 25], sent)
            if weekday:
                return weekday
        return None
    for cue in _CUE.finditer(folded):
        for start, value in candidates:
            if 0 <= start - cue.end() <= 40:
                return _latest_in_range(candidates, start, value)
    return candidates[-1][1]


def _latest_in_range(candidates: list[tuple[int, date]], start: int, value: date) -> date:
    """ "from 2 to 9 March" / "du 2 au 9 mars": the end of the stated range is the useful date."""
    for other_start, other in candidates:
        if start < other_start <= start + 30 and other > value:
            return other
    return value
