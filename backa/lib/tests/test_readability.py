from backa.lib.readability import lix


def test_lix_counts_words_sentences_and_long_words():
    # 7 words, 2 sentences, 1 long word (barnkontakt).
    assert round(lix("Vi har en barnkontakt. Hon heter Eva."), 2) == round(7 / 2 + 100 / 7, 2)
    assert lix("") == 0.0
