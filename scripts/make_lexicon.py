"""Build kbase/data/lexicon_nb.txt: the Norwegian words compound splitting may use as parts.

Run once, by a developer: python scripts/make_lexicon.py  (needs `pip install wordfreq`).
The list is the 60,000 most frequent bokmål words of wordfreq (data CC BY-SA 4.0, by Robyn
Speer and contributors), kept when alphabetic and 3+ letters, in frequency order (the line
number is the rank). kbase itself does not depend on wordfreq.
"""

from __future__ import annotations

from pathlib import Path

from wordfreq import top_n_list

OUT = Path(__file__).resolve().parent.parent / "kbase" / "data" / "lexicon_nb.txt"


def main() -> None:
    words = [w for w in top_n_list("nb", 60000) if w.isalpha() and len(w) >= 3]
    header = (
        "# Norwegian (bokmål) word list for compound splitting, most frequent first.\n"
        "# Derived from wordfreq 3.1 (https://github.com/rspeer/wordfreq), whose data is\n"
        "# licensed CC BY-SA 4.0; this derived list is shared under the same licence.\n"
    )
    OUT.write_text(header + "\n".join(words) + "\n", encoding="utf-8")
    print(f"wrote {len(words)} words to {OUT}")


if __name__ == "__main__":
    main()
