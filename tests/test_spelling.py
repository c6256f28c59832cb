"""Typo correction: close words are corrected, two swapped letters count as one slip, a
word merely one letter away from a short known word is left alone, and so is a real English
or French word the base lacks."""

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


def test_a_real_word_stays_even_close_to_a_known_one() -> None:
    assert Speller(["handed", "devices"]).correct("handle deviens") == "handle deviens"


def test_a_real_word_in_the_plural_becomes_the_known_singular() -> None:
    assert Speller(["school"]).correct("which schools") == "which school"


def test_a_slip_that_made_a_rare_real_word_is_still_corrected() -> None:
    # "dose" is a word, but "does" is far more common
    assert Speller(["does"]).correct("how dose it work") == "how does it work"


def test_one_slip_in_a_short_word_picks_the_commoner_word_of_the_base() -> None:
    speller = Speller(["type", "time"], {"type": 19, "time": 12})
    assert speller.correct("les tipe de cto") == "les type de cto"


def test_a_word_cut_short_is_completed() -> None:
    assert Speller(["cybersecurite"]).correct("cto et cybersecu") == "cto et cybersecurite"


def test_a_french_elision_typed_without_its_apostrophe_is_split() -> None:
    assert Speller(["etre", "degre"]).correct("avant detre cto") == "avant d'etre cto"
