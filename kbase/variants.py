"""Query-time alternatives: bokmål/nynorsk variants, domain synonyms, and æ/ø/å typed as
ae/oe/aa or as plain a/o."""

from __future__ import annotations

import itertools
import tomllib
from functools import lru_cache
from importlib import resources

MAX_SPELLINGS = 256  # transliterations tried for one word at most


@lru_cache(maxsize=1)
def tables() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """(variants, synonyms): each word mapped to the other words of its groups."""
    text = resources.files("kbase").joinpath("data/variants.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    out: list[dict[str, list[str]]] = []
    for key in ("variants", "synonyms"):
        table: dict[str, list[str]] = {}
        for group in data.get(key, []):
            for word in group:
                others = table.setdefault(word.lower(), [])
                others += [
                    w.lower() for w in group if w.lower() != word.lower() and w not in others
                ]
        out.append(table)
    return out[0], out[1]


def spellings(word: str) -> list[str]:
    """Other ways to read a word typed without æ, ø, å: 'naermest' -> 'nærmest',
    'parorende' -> 'pårørende' (among others); the caller keeps those the index knows."""
    word = word.lower()
    if any(ch in word for ch in "æøå"):
        return []
    choices: list[list[str]] = []
    i = 0
    while i < len(word):
        pair = word[i : i + 2]
        if pair in ("ae", "oe", "aa"):
            choices.append([pair, {"ae": "æ", "oe": "ø", "aa": "å"}[pair]])
            i += 2
            continue
        ch = word[i]
        choices.append({"a": ["a", "å", "æ"], "o": ["o", "ø"]}.get(ch, [ch]))
        i += 1
    total = 1
    for c in choices:
        total *= len(c)
    if total > MAX_SPELLINGS:
        return []
    return ["".join(p) for p in itertools.product(*choices) if "".join(p) != word]
