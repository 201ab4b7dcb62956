"""Splitting Norwegian compounds into parts: "hverdagsrehabiliteringen" -> hverdag + rehabiliteringen.

A split is made only where it helps: both parts at least four letters, both known words (the
shipped lexicon plus a domain list), an optional linking s or e between them, and the tail may
carry an inflection. So "omsorg" and "tiltak" are never split ("om"+"sorg", "til"+"tak" have
parts under four letters), while "omsorgsboliger" becomes omsorg + boliger.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

MIN_PART = 4
LINKS = ("s", "e")
ENDINGS = ("", "en", "et", "er", "ene", "a", "ar", "ane", "ne", "e", "n", "r", "s", "ens", "ets")


@lru_cache(maxsize=1)
def lexicon() -> dict[str, int]:
    """Known words with their frequency rank (domain words first, rank 0)."""
    ranks: dict[str, int] = {}
    data = resources.files("kbase").joinpath("data")
    for line in data.joinpath("domain_words.txt").read_text("utf-8").splitlines():
        if line and not line.startswith("#"):
            ranks.setdefault(line.strip(), 0)
    lines = data.joinpath("lexicon_nb.txt").read_text("utf-8").splitlines()
    for rank, line in enumerate((w for w in lines if w and not w.startswith("#")), start=1):
        ranks.setdefault(line, rank)
    return ranks


MAX_RANK = 25_000  # parts rarer than this are not trusted (unless they are domain words)


def _rank(word: str, words: dict[str, int]) -> int | None:
    """The best frequency rank of a word or of its uninflected forms; None if unknown."""
    found = [
        words[base]
        for ending in ENDINGS
        if word.endswith(ending)
        and len(base := word[: len(word) - len(ending)] if ending else word) >= MIN_PART
        and base in words
    ]
    return min(found) if found else None


def _head(head: str, words: dict[str, int]) -> str | None:
    """The head without its linking letter (omsorgs -> omsorg), if it is a known word."""
    if head[-1:] in LINKS and len(head) - 1 >= MIN_PART and head[:-1] in words:
        return head[:-1]
    if len(head) >= MIN_PART and head in words:
        return head
    return None


def _split(word: str, words: dict[str, int]) -> tuple[tuple[int, int], tuple[str, ...]] | None:
    best: tuple[tuple[int, int], tuple[str, ...]] | None = None
    for i in range(MIN_PART, len(word) - MIN_PART + 1):
        head = _head(word[:i], words)
        if head is None or words[head] > MAX_RANK:
            continue
        tail = word[i:]
        tail_rank = _rank(tail, words)
        if tail_rank is not None and tail_rank <= MAX_RANK:
            cost = (2, max(words[head], tail_rank))
            parts: tuple[str, ...] = (head, tail)
        else:
            sub = _split(tail, words)  # a three-part compound: heldøgns|omsorgs|plasser
            if sub is None:
                continue
            cost = (1 + sub[0][0], max(words[head], sub[0][1]))
            parts = (head, *sub[1])
        if best is None or cost < best[0]:
            best = (cost, parts)
    return best


@lru_cache(maxsize=200_000)
def split(word: str) -> tuple[str, ...]:
    """The parts of a compound (heads without their linking letter, the tail as written),
    or () when the word is not split: too short, unknown parts, or more common whole."""
    word = word.lower()
    if len(word) < 2 * MIN_PART or not word.isalpha():
        return ()
    words = lexicon()
    found = _split(word, words)
    if found is None:
        return ()
    whole = _rank(word, words)
    # domain words (rank 0) are listed to serve as parts; they never block a split
    if whole and whole <= found[0][1]:
        return ()  # "tjenestene", "utviklingen": the whole word is more common than a part
    return found[1]
