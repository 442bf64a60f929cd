"""The new text of a reply: quoted history, forwarded originals and signatures removed.

Covers the quote headers of the common clients in English, French, German, Spanish, Italian,
Portuguese and Dutch ("On ... wrote:", "Le ... a écrit :", "Am ... schrieb ...:", ...), Outlook's
"From: / Sent:" header blocks and "-----Original Message-----" separators, "> " quoted lines, the
"-- " signature delimiter and the "Sent from my phone" lines of mobile clients.
"""

from __future__ import annotations

import re

_I = re.IGNORECASE

# A quote attribution; may wrap over two lines, so it is tried on each line and on each pair of lines.
_ATTRIBUTION = re.compile(
    r"^\s*(?:"
    r"on\b.{0,300}\bwrote\s*:|"
    r"le\b.{0,300}\ba [ée]crit\s*:|"
    r"am\b.{0,300}\bschrieb\b.{0,300}:|"
    r"el\b.{0,300}\bescribi[óo]\s*:|"
    r"il\b.{0,300}\bha scritto\s*:|"
    r"em\b.{0,300}\bescreveu\s*:|"
    r"op\b.{0,300}\bschreef\b.{0,300}:|"
    r".{0,200}<[^>\s]+@[^>\s]+>\s*(?:wrote|a [ée]crit|schrieb|escribi[óo]|ha scritto|escreveu|schreef)\s*:|"
    # Any client's wording with a date or time in it ("Op 17 nov 2026 om 18:15 heeft ... het volgende
    # geschreven:", "No dia 3/03/2026, ... escreveu:", "In data ... ha scritto:").
    r".{0,200}\d.{0,200}\b(?:wrote|a [ée]crit|schrieb|escribi[óo]|ha scritto|escreveu|schreef|geschreven)\s*:"
    r")\s*$",
    _I,
)
_SEPARATOR = re.compile(
    r"^\s*(?:-{2,}\s*(?:original message|forwarded message|message d'origine|message transf[ée]r[ée]|"
    r"urspr[üu]ngliche nachricht|weitergeleitete nachricht|mensaje original|mensaje reenviado|"
    r"messaggio originale|messaggio inoltrato|mensagem original|mensagem encaminhada|"
    r"oorspronkelijk bericht|doorgestuurd bericht)\s*-{2,}|_{10,}|begin forwarded message:)\s*$",
    _I,
)
_HEADER_FROM = re.compile(r"^\s*\*?(?:from|de|von|van|da|remetente|enviado por)\s*:\*?\s", _I)
_HEADER_NEXT = re.compile(
    r"^\s*\*?(?:sent|date|envoy[ée]|gesendet|datum|enviado|fecha|inviato|data|verzonden|to|[àa]|an|para|aan|"
    r"subject|objet|betreff|asunto|oggetto|assunto|onderwerp)\s*:",
    _I,
)
_SIGNATURE = re.compile(
    r"^(?:--\s?|"
    r"sent from my \w+.*|sent from (?:outlook|yahoo mail|mail for windows).*|get outlook for \w+.*|"
    r"envoy[ée] (?:de|depuis) mon \w+.*|von meinem \w+ gesendet.*|gesendet von meinem \w+.*|"
    r"enviado desde mi \w+.*|inviato da(?:l mio)? \w+.*|enviado do meu \w+.*|enviado de meu \w+.*|"
    r"verzonden (?:vanaf|met) mijn \w+.*|verstuurd vanaf mijn \w+.*|"
    r"(?:sent|envoy[ée]|gesendet|enviado|inviato|verzonden|verstuurd) (?:from|de|depuis|von|desde|do|da|dal|"
    r"met|vanaf|via) (?:yahoo|outlook|gmail|proton|samsung|android|ios|libero|aol|icloud|mail)\b.*)$",
    _I,
)
# The closing line a desk signature starts with ("Best regards,", "Viele Grüße", "Un saludo" ...).
_CLOSING = re.compile(
    r"^(?:(?:best|kind|warm|many)(?: regards| wishes)?|regards|best wishes|cheers|thanks(?: again)?|many thanks|"
    r"all the best|speak soon|ta|cordialement|bien (?:a|à) (?:vous|toi)|bonne (?:journ[ée]e|soir[ée]e)|"
    r"bien cordialement|amiti[ée]s|(?:viele|beste|liebe|sch[öo]ne|freundliche) gr[üu](?:ß|ss)e|"
    r"mit freundlichen gr[üu](?:ß|ss)en|"
    r"lg|vg|gru(?:ß|ss)|un saludo|saludos(?: cordiales)?|un abrazo|atentamente|un saluto|saluti|cordiali saluti|"
    r"a presto|cumprimentos|abra[çc]o|atenciosamente|beijinhos|(?:met )?vriendelijke groet(?:en)?|groet(?:en|jes)?|"
    r"mvg|hartelijke groet(?:en)?)[,.!]?(?:\s+\S+)?$",
    _I,
)
_SIGNATURE_LINES = 8


def _quote_follows(lines: list[str], start: int) -> bool:
    """Whether the next non-blank line from ``start`` is a "> " quoted one."""
    return next((line.lstrip().startswith(">") for line in lines[start:] if line.strip()), False)


def _cut_index(lines: list[str]) -> tuple[int, set[int]]:
    """Where the history starts, and the attribution lines to drop above a "> " quote that the reply
    continues below (a bottom-posted reply keeps its words)."""
    dropped: set[int] = set()
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped or i in dropped:
            continue
        if _SEPARATOR.match(line) or _SIGNATURE.match(stripped) or line.rstrip("\r") in {"-- ", "--"}:
            return i, dropped
        wrapped = not _ATTRIBUTION.match(line) and i + 1 < len(lines) and _ATTRIBUTION.match(f"{line} {lines[i + 1]}")
        if _ATTRIBUTION.match(line) or wrapped:
            after = i + 2 if wrapped else i + 1
            own_words_above = any(ln.strip() and not ln.lstrip().startswith(">") for ln in lines[:i])
            if own_words_above or not _quote_follows(lines, after):
                return i, dropped
            dropped.update(range(i, after))
            continue
        if _HEADER_FROM.match(line) and any(_HEADER_NEXT.match(nxt) for nxt in lines[i + 1 : i + 5]):
            return i, dropped
    return len(lines), dropped


_SIGN_OFF_LINE = re.compile(r"^[^\s.?!:;]?[^.?!:;]{0,40}$")
_NAME_LINE = re.compile(r"[^\W\d_][\w'-]*(?: [^\W\d_][\w'-]*){0,2}")


def _drop_closing_block(lines: list[str]) -> list[str]:
    """Drop a closing line and the few short lines under it (name, title, phone, website)."""
    for i in range(len(lines) - 1, max(-1, len(lines) - _SIGNATURE_LINES - 2), -1):
        if _CLOSING.match(lines[i].strip()):
            below = [line for line in lines[i + 1 :] if line.strip()]
            if all(len(line.strip()) <= 60 for line in below) and any(line.strip() for line in lines[:i]):
                return lines[:i]
            break
    return lines


def _drop_sign_off(lines: list[str]) -> list[str]:
    """Drop an undelimited signature: a closing line and what follows it, a lone name line right
    under the text, or a short trailing block of name/title lines after a blank line. Only when text
    stays above it, so a one-line reply ("Unsubscribe") is never emptied.
    """
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    lines = _drop_closing_block(lines)
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    start = len(lines)
    while start > 0 and lines[start - 1].strip() and len(lines) - start < 4:
        start -= 1
    text_above = any(line.strip() for line in lines[:start])
    if text_above and not lines[start - 1].strip() and all(_SIGN_OFF_LINE.match(ln.strip()) for ln in lines[start:]):
        return lines[:start]
    if len(lines) >= 2 and lines[-2].strip() and _NAME_LINE.fullmatch(lines[-1].strip()):
        return lines[:-1]
    return lines


def reply_text(body: str) -> str:
    """The reply's own words, without quotes and signature; whitespace tidied."""
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cut, dropped = _cut_index(lines)
    kept = [
        line.rstrip() for i, line in enumerate(lines[:cut]) if i not in dropped and not line.lstrip().startswith(">")
    ]
    text = "\n".join(_drop_sign_off(kept))
    return re.sub(r"\n{3,}", "\n\n", text).strip()
