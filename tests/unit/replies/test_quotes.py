"""Reply text: the new words only, without quoted history or signature."""

from __future__ import annotations

import pytest

from tracker_integrations.replies.quotes import reply_text

PITCH = "Hi Alex,\nWe'd love you to add the single to your playlist.\nSam"


@pytest.mark.parametrize(
    "attribution",
    [
        "On Mon, 2 Mar 2026 at 09:30, Sam Carter <sam@plugger.example> wrote:",
        "Le lun. 2 mars 2026 à 09:30, Sam Carter <sam@plugger.example> a écrit :",
        "Am Mo., 2. März 2026 um 09:30 Uhr schrieb Sam Carter <sam@plugger.example>:",
        "El lun, 2 mar 2026 a las 9:30, Sam Carter (<sam@plugger.example>) escribió:",
        "Il giorno lun 2 mar 2026 alle ore 09:30 Sam Carter <sam@plugger.example> ha scritto:",
        "Em seg., 2 de mar. de 2026 às 09:30, Sam Carter <sam@plugger.example> escreveu:",
        "Op ma 2 mrt 2026 om 09:30 schreef Sam Carter <sam@plugger.example>:",
        # Apple Mail's and other clients' wordings, known by the date in them
        "Op 17 nov 2026 om 18:15 heeft Sam Carter <sam@plugger.example> het volgende geschreven:",
        "No dia 3/03/2026, Sam Carter escreveu:",
    ],
)
def test_quote_attributions_in_seven_languages_cut_the_history(attribution: str) -> None:
    # GIVEN a reply above a client's quote header and the quoted pitch
    body = f"Not for us, sorry.\n\n{attribution}\n" + "\n".join(f"> {line}" for line in PITCH.split("\n"))
    # THEN only the reply remains
    assert reply_text(body) == "Not for us, sorry."


def test_an_attribution_wrapped_over_two_lines_is_recognised() -> None:
    body = "Thanks!\n\nOn Mon, 2 Mar 2026 at 09:30, Sam Carter <\nsam@plugger.example> wrote:\n> Hi"
    assert reply_text(body) == "Thanks!"


def test_outlook_header_blocks_and_original_message_separators_cut_the_history() -> None:
    outlook = "Sounds good.\n\nFrom: Sam Carter <sam@plugger.example>\nSent: 02 March 2026 09:30\nTo: Alex\n\n" + PITCH
    separator = "Sounds good.\n\n-----Original Message-----\nFrom: Sam\n\n" + PITCH
    underscores = "Sounds good.\n\n________________________________\nVon: Sam\nGesendet: Montag\n\n" + PITCH
    assert reply_text(outlook) == "Sounds good."
    assert reply_text(separator) == "Sounds good."
    assert reply_text(underscores) == "Sounds good."


def test_interleaved_quoted_lines_are_dropped_but_the_answers_kept() -> None:
    body = "> Would you play it?\nYes, on Friday.\n> And an interview?\nHappy to."
    assert reply_text(body) == "Yes, on Friday.\nHappy to."


@pytest.mark.parametrize(
    "signature",
    [
        "-- \nAlex Morgan\nEvening Show | North Radio\n+44 20 0000 0000",
        "Sent from my iPhone",
        "Envoyé de mon iPhone",
        "Von meinem iPhone gesendet",
        "Enviado desde mi iPhone",
        "Inviato da iPhone",
        "Enviado do meu iPhone",
        "Verzonden vanaf mijn iPhone",
        "Alex\nEvening Show | North Radio",
        "Enviado do Yahoo Mail no Android",
        "Best regards,\nAlex Morgan\nHead of Music | North Radio\nM: +44 7700 900000\nwww.north.example",
        "Viele Grüße\nAlex Morgan\nMusikredaktion\nTel. 030 000000",
        "Met vriendelijke groet,\nAlex Morgan\nMuziekredactie | Radio Noord",
    ],
)
def test_signatures_are_removed(signature: str) -> None:
    assert reply_text(f"We'll play it on Friday.\n\n{signature}") == "We'll play it on Friday."


def test_a_one_line_reply_is_never_taken_for_a_signature() -> None:
    assert reply_text("Unsubscribe") == "Unsubscribe"
    assert reply_text("Cheers!") == "Cheers!"
    assert reply_text("Great, thanks.\nAlex") == "Great, thanks."
