"""The intent model's text features: negation scopes and what follows a contrast."""

from __future__ import annotations

import pytest

from tracker_integrations.replies.features import text_features


def test_words_after_a_contrast_are_their_own_evidence() -> None:
    # GIVEN a reply whose answer comes after "but"
    # WHEN its features are read
    bag = text_features("Not my usual style but I'm playing it. Thanks!")
    # THEN the words after "but" are marked, the words before it and the next sentence are not
    assert {"a:i'm", "a:playing", "a:it"} <= bag.keys()
    assert "a:style" not in bag
    assert "a:thanks" not in bag


def test_a_contrast_is_read_in_each_language() -> None:
    for text, word in (("pas mon style mais je le programme", "a:programme"), ("nicht mein Ding, aber gut", "a:gut")):
        assert word in text_features(text)


def test_a_negated_word_is_not_the_word() -> None:
    bag = text_features("not interested")
    assert "n:interested" in bag
    assert "w:interested" not in bag


def _markers(text: str) -> set[str]:
    return {name for name in text_features(text) if name.startswith(("m:", "x:"))}


def test_regret_is_one_marker_in_seven_languages() -> None:
    # GIVEN an apology or regret in each language
    texts = ["Sorry, not for us", "Leider nein", "Malheureusement non", "Lamentablemente no"]
    texts += ["Purtroppo no", "Infelizmente não", "Helaas niet", "Lo siento, no encaja"]
    # WHEN their features are read
    # THEN each carries the same regret marker, which the model learns once for all of them
    for text in texts:
        assert "m:regret" in _markers(text), text


def test_a_condition_opening_a_sentence_is_marked_with_what_it_offers() -> None:
    # GIVEN conditional yeses in three languages
    for text in (
        "If you have a radio edit we'd add it",
        "Si tienes una versión más corta, la ponemos",
        "Als je een radio edit hebt, zetten we hem op de playlist",
    ):
        # WHEN their features are read
        # THEN the condition and the offer to take the track under it are marked
        assert {"m:condition", "m:condition_take"} <= _markers(text), text


def test_a_spanish_yes_is_not_a_condition() -> None:
    # GIVEN "sí" (folded to "si") answering on its own
    # WHEN the features are read
    # THEN no condition is marked
    assert "m:condition" not in _markers("Sí, la ponemos el lunes")


def test_a_reply_of_questions_only_reads_apart_from_a_yes_with_a_question() -> None:
    # GIVEN a reply that only asks, and a yes that also asks
    only = _markers("Is er ook een instrumentale versie beschikbaar?")
    mixed = _markers("Me apunto. ¿Hay embargo o lo puedo poner ya?")
    # THEN both are questions, told apart by whether a statement comes with them
    assert {"m:question", "m:only_questions", "m:interrogative_opener", "m:ends_with_question"} <= only
    assert {"m:question", "m:question_and_statement", "m:interrogative_opener"} <= mixed
    assert "m:only_questions" not in mixed


def test_a_negated_fault_is_litotes_and_a_negated_take_is_a_refusal() -> None:
    # GIVEN negations of a fault ("not bad") and of taking the track ("won't play"), before and after the verb
    # WHEN their features are read
    # THEN the first reads as praise, the second as a refusal, wherever the negator stands in the clause
    for text in ("Not bad at all", "Nicht schlecht", "Kann man nicht meckern!", "Niet slecht", "Non è male"):
        assert "x:neg_fault" in _markers(text), text
    for text in ("We won't play it", "Wir nehmen den Titel nicht ins Programm", "Decidimos não incluir"):
        assert "x:neg_take" in _markers(text), text


def test_two_negations_close_together_are_a_yes() -> None:
    # GIVEN "can't say no" in four languages ("ne ... pas" counting as one negation)
    for text in ("Can't say no to that", "Je ne dis pas non", "Non posso dire di no", "No puedo decir que no"):
        # THEN the double negation is marked, not a negated take
        markers = _markers(text)
        assert "x:double_neg" in markers, text
        assert "x:neg_take" not in markers, text


def test_a_forward_to_a_named_colleague_is_marked() -> None:
    # GIVEN a reply that names a colleague and then addresses them, and one that only thanks twice
    forward = _markers("Passo à Rita, que trata das sessões. Rita, vê tu diretamente com a Beatriz.")
    thanks = _markers("Thanks, Sam. Thanks, talk soon")
    # THEN only the first is a forward
    assert "m:forward_to_named" in forward
    assert "m:forward_to_named" not in thanks
    assert "m:forward" in _markers("Ti metto in copia Davide, segue lui le interviste.")


def test_an_absence_with_dates_is_marked_without_any_fixed_phrase() -> None:
    # GIVEN a holiday closure notice with a day and a month's abbreviation
    markers = _markers("This inbox isn't monitored over the Christmas break (19 Dec - 5 Jan).")
    # THEN its absence words and its date are marked
    assert {"m:absences", "m:date"} <= markers
    assert "m:date" not in _markers("May I ask when it comes out?")


def test_a_long_letter_weighs_no_more_than_a_short_reply() -> None:
    # GIVEN a long letter
    long_letter = " ".join(f"word{n} another{n} sentence{n}." for n in range(60))
    # WHEN its features are read
    bag = text_features(long_letter)
    lexical = [value for name, value in bag.items() if name[1] == ":" and name[0] in "wnabc"]
    # THEN its word and n-gram features are scaled down, the bias is not
    assert max(lexical) < 1.0
    assert bag["bias"] == 1.0


def test_the_negator_of_a_litotes_is_no_sign_of_a_refusal() -> None:
    # GIVEN "keine Frage" and "not bad" opening a yes
    bag = text_features("Keine Frage, den spielen wir.")
    # THEN the negator is its own litotes feature and opens no negation scope
    assert {"w:lit_keine", "x:neg_fault"} <= bag.keys()
    assert "w:keine" not in bag
    assert "n:bad" not in text_features("not bad at all")


def test_a_repeated_negation_that_says_nothing_is_not_a_double_negation() -> None:
    # GIVEN the Brazilian "não ... não" (one negation, said twice) and "dizer que não" (a yes)
    # THEN only saying "no" under a negation is a double negation
    assert "x:double_neg" not in _markers("Putz, não rola pra gente não, mano.")
    assert "x:double_neg" in _markers("Não consigo dizer que não a esse refrão.")


def test_a_contact_who_moved_on_and_a_refusal_of_this_one_are_marked() -> None:
    # GIVEN a contact no longer in charge, with the new one's address, and a "not this time"
    moved = _markers("Ya no llevo la programación musical, ahora es cosa de Pablo (pablo@radio.example).")
    # THEN the first is marked as moved on with an address, the second as a refusal of this one
    assert {"m:no_longer", "m:email_address"} <= moved
    assert "x:neg_this_time" in _markers("Stavolta non se ne fa niente.")


def test_but_opening_a_sentence_after_a_refusal_is_not_a_yes() -> None:
    # GIVEN a refusal followed by "But send me the next one"
    markers = _markers("Pas trop mon truc, je vais pas le jouer. Mais envoie-moi la suite !")
    # THEN the contrast is not read as turning to a yes
    assert "x:contrast_to_yes" not in markers


def test_words_in_a_question_are_not_statements() -> None:
    # GIVEN a reply that asks about a version, then states something
    bag = text_features("Tem versão acústica? Nas manhãs de domingo só passamos coisas calmas.")
    # THEN the asked words are question evidence (no word or n-gram features), the statement's are words
    assert {"q:tem", "q:versao", "q:acustica"} <= bag.keys()
    assert "w:versao" not in bag
    assert not any(name.startswith("c:") and "vers" in name for name in bag)
    assert {"w:domingo", "w:calmas"} <= bag.keys()


def test_why_not_is_no_negation_but_because_not_is() -> None:
    # GIVEN "why not" closing its clause, and "because ... not" negating what follows
    yes = text_features("Warum nicht, probieren wir es am Samstag.")
    no = text_features("No lo ponemos porque no encaja.")
    # THEN the first opens no negation scope; the second is a refusal of taking the track
    assert "w:lit_nicht" in yes
    assert not any(name.startswith("n:") for name in yes)
    assert "x:neg_take" in no


def test_cannot_resist_and_nothing_against_are_litotes() -> None:
    # GIVEN a yes said by negating resistance or objection, in three languages
    # WHEN the negations are read
    # THEN each falls on a fault-like word: a litotes, not a refusal
    for text in ("I can't resist this one.", "No me puedo resistir. Va.", "Je n'ai rien contre, on le passe."):
        assert "x:neg_fault" in _markers(text), text
        assert "x:neg_take" not in _markers(text), text


def test_next_time_and_send_the_next_one_are_marked() -> None:
    # GIVEN refusals of this one that keep the door open, in four languages
    texts = ["Une autre fois, Yanis !", "Para esta no. Mándame lo próximo.", "Fica pra próxima."]
    texts.append("Diesmal nicht, schick mir die nächste.")
    # THEN each carries the next-time marker the model learns once for all of them
    for text in texts:
        assert "m:next_time" in _markers(text), text


def test_a_pointer_to_a_submission_form_is_marked() -> None:
    # GIVEN replies that send the plugger to a form or a platform instead of answering
    texts = ["We take all submissions through the form on our website now."]
    texts += ["Só ouvimos propostas enviadas pelo SubmitHub.", "Bitte über das Formular auf der Webseite einreichen."]
    # THEN each is marked as pointing to a submission channel
    for text in texts:
        assert "m:submit_channel" in _markers(text), text


@pytest.mark.parametrize(
    ("text", "marker"),
    [
        ("Le mot de passe ne fonctionne pas, vous pouvez vérifier ?", "m:problem"),
        ("Der Link funktioniert nicht.", "m:problem"),
        ("The download link doesn't work for me.", "m:problem"),
        ("Bel me even, via mail raak ik het overzicht kwijt: 010 000 0000.", "m:call_me"),
        ("Mejor me llamas y lo hablamos.", "m:call_me"),
        ("Pode ligar-me amanhã de manhã?", "m:call_me"),
        ("Please note my new address from January.", "m:new_address"),
        ("Nos mudamos de oficina el 1 de diciembre.", "m:new_address"),
        ("Dit adres is niet meer in gebruik.", "m:mailbox_closed"),
        ("Questo indirizzo non è più attivo.", "m:mailbox_closed"),
        ("Este endereço não é mais monitorado.", "m:mailbox_closed"),
    ],
)
def test_replies_about_the_delivery_or_the_contact_carry_their_marker(text: str, marker: str) -> None:
    # GIVEN a reply about a broken file, a call, a new address or a closed mailbox
    # WHEN its features are read
    # THEN it carries the marker the model learns once for every language
    assert marker in _markers(text)


def test_a_yes_with_a_date_carries_none_of_the_delivery_markers() -> None:
    # GIVEN a plain yes with a date in it
    markers = _markers("Love it, we'll play it on 12 March on the breakfast show.")
    # THEN it is not read as a problem, a call, an address change or a closed mailbox
    assert not markers & {"m:problem", "m:call_me", "m:new_address", "m:mailbox_closed"}
