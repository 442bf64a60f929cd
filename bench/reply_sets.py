"""The labelled reply sets the intent model is trained on and measured with.

Three sources, all in tests/fixtures/replies/:
- ``intent/`` : 168 whole .eml replies (``labels.csv``: file,category);
- ``written/<lang>.txt`` : replies written for this project the way radio, playlist and press contacts
  answer, one ``category|text`` a line (``\\n`` for a line break), wrapped here into real replies
  (Re: subject, In-Reply-To, the pitch quoted above or below, mobile or desk signatures, Outlook
  header blocks), the layout chosen from the reply's id so it never changes between runs;
- ``heldout/`` to ``heldout7/`` (``labels.csv``: file,category,language): the first seven held-out sets,
  written blind by other sessions. All were read (or their totals seen) while the classifier was worked
  on, so they no longer measure generalisation; they are our data now, in the same two splits as the
  rest;
- ``authored-a/`` to ``authored-h/`` (same format, when present): training sets written by eight more
  authors who never saw the classifier.

Each blind-written set is one author's way of answering, which makes it the honest tuning signal: the
leave-one-author-out check (``python -m bench.train_intent --by-author``) fits on everything else and
scores that set, as a new user's inbox would be scored (``BLIND_SETS`` lists them).

Every reply falls, by a hash of its id, into ``train`` (fitting and rule work) or ``devheldout``
(about a third; the dev figure comes from a model fitted on the train split alone, while the shipped
model is fitted on both, see bench/train_intent.py). The held-out set that still measures
generalisation (``heldout8/``) and the held-out corpus labels are never read here: bench/replies.py
reads them only to report.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Literal

REPO_ROOT = Path(__file__).resolve().parents[1]
FIXTURES = REPO_ROOT / "tests" / "fixtures" / "replies"
INTENT_DIR = FIXTURES / "intent"
WRITTEN_DIR = FIXTURES / "written"
# Former held-out sets, read while the classifier was worked on, so folded into our own data.
FORMER_HELDOUT_DIRS = (
    ("h1", FIXTURES / "heldout"),
    ("h2", FIXTURES / "heldout2"),
    ("h3", FIXTURES / "heldout3"),
    ("h4", FIXTURES / "heldout4"),
    ("h5", FIXTURES / "heldout5"),
    ("h6", FIXTURES / "heldout6"),
    ("h7", FIXTURES / "heldout7"),
)
# Training sets written by authors who never saw the classifier (read like the former held-out sets).
AUTHORED_DIRS = (
    ("aa", FIXTURES / "authored-a"),
    ("ab", FIXTURES / "authored-b"),
    ("ac", FIXTURES / "authored-c"),
    ("ad", FIXTURES / "authored-d"),
    ("ae", FIXTURES / "authored-e"),
    ("af", FIXTURES / "authored-f"),
    ("ag", FIXTURES / "authored-g"),
    ("ah", FIXTURES / "authored-h"),
)
# Each blind-written set, by its id prefix: one author each, the folds of the leave-one-author-out check.
BLIND_SETS = tuple(prefix for prefix, _ in (*FORMER_HELDOUT_DIRS, *AUTHORED_DIRS))
LANGUAGES = ("en", "fr", "de", "es", "it", "pt", "nl")
CATEGORIES = ("interested", "not_interested", "auto_reply", "replied")
Split = Literal["train", "devheldout"]
DEV_HELDOUT_SHARE = 3  # one reply in three


@dataclass(frozen=True, slots=True)
class Reply:
    id: str
    language: str
    category: str
    raw: bytes

    @property
    def split(self) -> Split:
        return split_of(self.id)


def split_of(reply_id: str) -> Split:
    digest = hashlib.sha256(reply_id.encode()).digest()
    return "devheldout" if digest[0] % DEV_HELDOUT_SHARE == 0 else "train"


_PITCH = {
    "en": (
        "New single from Harbour Lights",
        "Hi,\n\nI'd love you to hear the new single from Harbour Lights, out on "
        "6 March. We think it would suit your show. Happy to send the wav or set up an interview.\n\nBest,\nSam",
    ),
    "fr": (
        "Nouveau single de Lune Rouge",
        "Bonjour,\n\nJe me permets de vous faire découvrir le nouveau single de "
        "Lune Rouge, qui sort le 6 mars. Je peux vous envoyer le wav.\n\nBelle journée,\nClaire",
    ),
    "de": (
        "Neue Single von Nordlicht",
        "Hallo,\n\nich möchte dir die neue Single von Nordlicht vorstellen, sie "
        "erscheint am 6. März. Gerne schicke ich die WAV-Datei.\n\nViele Grüße\nJonas",
    ),
    "es": (
        "Nuevo single de Marea Alta",
        "Hola,\n\nte escribo para presentarte el nuevo single de Marea Alta, que "
        "sale el 6 de marzo. Puedo enviarte el wav.\n\nUn saludo,\nLaura",
    ),
    "it": (
        "Nuovo singolo dei Fari Spenti",
        "Ciao,\n\nti scrivo per presentarti il nuovo singolo dei Fari Spenti, "
        "in uscita il 6 marzo. Posso mandarti il wav.\n\nUn saluto,\nMarco",
    ),
    "pt": (
        "Novo single dos Maré Cheia",
        "Olá,\n\nescrevo para apresentar o novo single dos Maré Cheia, que sai a "
        "6 de março. Posso enviar o wav.\n\nCumprimentos,\nRita",
    ),
    "nl": (
        "Nieuwe single van Lage Landen",
        "Hoi,\n\nik wil je graag de nieuwe single van Lage Landen laten horen, "
        "die op 6 maart uitkomt. Ik kan de wav sturen.\n\nGroeten,\nDaan",
    ),
}
_ATTRIBUTION = {
    "en": "On Mon, 2 Mar 2026 at 09:30, {name} <{addr}> wrote:",
    "fr": "Le lun. 2 mars 2026 à 09:30, {name} <{addr}> a écrit :",
    "de": "Am Mo., 2. März 2026 um 09:30 Uhr schrieb {name} <{addr}>:",
    "es": "El lun, 2 mar 2026 a las 9:30, {name} (<{addr}>) escribió:",
    "it": "Il giorno lun 2 mar 2026 alle ore 09:30 {name} <{addr}> ha scritto:",
    "pt": "Em seg., 2 de mar. de 2026 às 09:30, {name} <{addr}> escreveu:",
    "nl": "Op ma 2 mrt 2026 om 09:30 schreef {name} <{addr}>:",
}
_MOBILE = {
    "en": "Sent from my iPhone",
    "fr": "Envoyé de mon iPhone",
    "de": "Von meinem iPhone gesendet",
    "es": "Enviado desde mi móvil",
    "it": "Inviato da iPhone",
    "pt": "Enviado do meu iPhone",
    "nl": "Verzonden vanaf mijn iPhone",
}
_OUTLOOK = {
    "en": ("From", "Sent", "To", "Subject"),
    "fr": ("De", "Envoyé", "À", "Objet"),
    "de": ("Von", "Gesendet", "An", "Betreff"),
    "es": ("De", "Enviado", "Para", "Asunto"),
    "it": ("Da", "Inviato", "A", "Oggetto"),
    "pt": ("De", "Enviado", "Para", "Assunto"),
    "nl": ("Van", "Verzonden", "Aan", "Onderwerp"),
}
_CONTACT = ("Robin Vale", "robin@station.example", "Music producer | Station FM\n+44 20 0000 0000")
_PLUGGER = ("Sam Carter", "sam@plugger.example")


def _layout(reply_id: str, language: str, text: str) -> str:
    pitch_subject, pitch = _PITCH[language]
    quoted = "\n".join(f"> {line}" if line else ">" for line in pitch.split("\n"))
    attribution = _ATTRIBUTION[language].format(name=_PLUGGER[0], addr=_PLUGGER[1])
    first_name = _CONTACT[0].split()[0]
    variant = hashlib.sha256(f"layout:{reply_id}".encode()).digest()[0] % 5
    if variant == 0:  # top-posted from a phone
        return f"{text}\n\n{_MOBILE[language]}\n\n{attribution}\n\n{quoted}\n"
    if variant == 1:  # Outlook: name and title, then the original under a header block
        sender, sent, to, subject = _OUTLOOK[language]
        block = (
            f"________________________________\n{sender}: {_PLUGGER[0]} <{_PLUGGER[1]}>\n{sent}: 02 March 2026 09:30\n"
            f"{to}: {_CONTACT[0]} <{_CONTACT[1]}>\n{subject}: {pitch_subject}\n"
        )
        return f"{text}\n\n{first_name}\n{_CONTACT[2]}\n\n{block}\n{pitch}\n"
    if variant == 2:  # bottom-posted under the quote
        return f"{attribution}\n{quoted}\n\n{text}\n\n{first_name}\n"
    if variant == 3:  # a delimited signature
        return f"{text}\n\n-- \n{_CONTACT[0]}\n{_CONTACT[2]}\n\n{attribution}\n{quoted}\n"
    return f"{text}\n\n{first_name}\n\n{attribution}\n{quoted}\n"  # plain, signed with a first name


def wrap_reply(reply_id: str, language: str, text: str) -> bytes:
    """A reply as a mail client would send it (no auto-reply headers: only the words say what it is)."""
    subject, _ = _PITCH[language]
    message = EmailMessage()
    message["From"] = f"{_CONTACT[0]} <{_CONTACT[1]}>"
    message["To"] = f"{_PLUGGER[0]} <{_PLUGGER[1]}>"
    message["Subject"] = f"Re: {subject}"
    message["Date"] = format_datetime(datetime(2026, 3, 3, 10, 15, tzinfo=UTC))
    message["Message-ID"] = f"<{hashlib.sha256(reply_id.encode()).hexdigest()[:16]}@station.example>"
    message["In-Reply-To"] = f"<pitch-{language}@plugger.example>"
    message.set_content(_layout(reply_id, language, text))
    return message.as_bytes()


def written_replies() -> list[Reply]:
    replies: list[Reply] = []
    for language in LANGUAGES:
        path = WRITTEN_DIR / f"{language}.txt"
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        for number, line in enumerate(lines, start=1):
            category, text = line.split("|", 1)
            reply_id = f"w-{language}-{number:03d}"
            body = text.replace("\\n", "\n")
            replies.append(Reply(reply_id, language, category, wrap_reply(reply_id, language, body)))
    return replies


def fixture_replies() -> list[Reply]:
    with (INTENT_DIR / "labels.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return [
        Reply(
            f"f-{row['file']}", row["file"].split("-", 1)[0], row["category"], (INTENT_DIR / row["file"]).read_bytes()
        )
        for row in rows
    ]


_CATEGORY_ALIASES = {
    "out_of_office": "auto_reply",
    "out-of-office": "auto_reply",
    "ooo": "auto_reply",
    "auto-reply": "auto_reply",
    "not interested": "not_interested",
    "not-interested": "not_interested",
    "plain_reply": "replied",
    "plain reply": "replied",
    "reply": "replied",
}


def normalise_category(label: str) -> str:
    label = label.strip().lower()
    return _CATEGORY_ALIASES.get(label, label)


def labelled_eml_replies(directory: Path, id_prefix: str = "") -> list[Reply]:
    """A folder of .eml replies with ``labels.csv`` (file,category,language; the language defaults to
    the file name's prefix)."""
    with (directory / "labels.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return [
        Reply(
            f"{id_prefix}{row['file']}",
            (row.get("language") or Path(row["file"]).name.split("-", 1)[0]).strip().lower(),
            normalise_category(row["category"]),
            (directory / row["file"]).read_bytes(),
        )
        for row in rows
    ]


def former_heldout_replies() -> list[Reply]:
    """The former held-out sets and the authored sets that are there, ids prefixed with their set's."""
    return [
        reply
        for prefix, directory in (*FORMER_HELDOUT_DIRS, *AUTHORED_DIRS)
        if (directory / "labels.csv").is_file()
        for reply in labelled_eml_replies(directory, f"{prefix}-")
    ]


def blind_set_of(reply: Reply) -> str | None:
    """The blind-written set a reply comes from (its author), or None for the fixtures and written replies."""
    prefix = reply.id.split("-", 1)[0]
    return prefix if prefix in BLIND_SETS else None


def development_replies() -> list[Reply]:
    """Every reply of our own: the 168 fixtures, the written ones, the seven former held-out sets and the
    authored sets, each with its split."""
    return fixture_replies() + written_replies() + former_heldout_replies()
