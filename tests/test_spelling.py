"""Typo correction: close words are corrected, two swapped letters count as one slip, and
a word merely one letter away from a short known word is left alone."""

from coachbot.knowledge.spelling import Speller


def test_two_swapped_letters_are_one_slip() -> None:
    speller = Speller(["does", "report", "salary"])
    assert speller.correct("who dose the cto reprot to") == "who does the cto report to"


def test_a_short_word_one_letter_from_a_known_one_stays() -> None:
    # "cake" is one letter from "came": changing it would make a recipe question look
    # like a question about the base.
    assert Speller(["came"]).correct("how do you make a cake") == "how do you make a cake"


def test_close_words_are_corrected() -> None:
    assert Speller(["salary"]).correct("salery") == "salary"
