"""LIX (läsbarhetsindex, Björnsson 1968): words per sentence plus the percentage of long words.

    LIX = words / sentences + 100 * (words longer than six letters) / words

Below 30 is very easy, 30–40 easy (plain Swedish for the general public), above 50 hard.
"""

import re

WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*", re.UNICODE)
SENTENCE_END = re.compile(r"[.!?:]+(?:\s|$)")


def lix(text: str) -> float:
    words = WORD.findall(text)
    if not words:
        return 0.0
    sentences = max(1, len(SENTENCE_END.findall(text.strip() + " ")))
    long_words = sum(1 for w in words if len(w.replace("-", "")) > 6)
    return len(words) / sentences + 100 * long_words / len(words)
