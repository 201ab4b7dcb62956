"""Tagging quality on the gold set: per-tag precision/recall/F1, micro and macro averages,
for kbase's tagger and a naive any-keyword baseline measured in the same run.

Run: python bench/tagging.py [--taxonomy FILE] [--gold FILE]
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kbase.tagging import Tagger  # noqa: E402
from kbase.taxonomy import Taxonomy, load_taxonomy  # noqa: E402

GOLD = ROOT / "tests" / "data" / "tagging_gold.txt"
CODES = {
    "M": "tilrettelegge-for-mestring",
    "N": "naermest-mulig-lengst-mulig",
    "S": "sentraliserte-tjenester-til-spesielle-behov",
    "O": "trygge-overganger",
    "U": "fra-storbruker-til-superbruker",
    "K": "seniorkraft",
}


@dataclass(frozen=True)
class GoldPassage:
    text: str
    section: str
    veivalg: frozenset[str]
    themes: frozenset[str]


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def load_gold(path: Path = GOLD) -> list[GoldPassage]:
    """The labelled passages of the gold file."""
    out: list[GoldPassage] = []
    head: dict[str, str] | None = None
    lines: list[str] = []

    def flush() -> None:
        if head is not None and lines:
            out.append(
                GoldPassage(
                    " ".join(lines),
                    head.get("seksjon", ""),
                    frozenset(CODES[c] for c in _split(head.get("veivalg", ""))),
                    frozenset(_split(head.get("tema", ""))),
                )
            )

    for raw in path.read_text(encoding="utf-8").splitlines():
        if raw.startswith("#"):
            continue
        if raw.startswith("@"):
            flush()
            head = {
                k.strip(): v.strip() for k, v in (part.split(":", 1) for part in raw[1:].split("|"))
            }
            lines = []
        elif raw.strip():
            lines.append(raw.strip())
        else:
            flush()
            head, lines = None, []
    flush()
    return out


Predict = Callable[[GoldPassage], tuple[set[str], set[str]]]


def kbase_predictor(taxonomy: Taxonomy) -> Predict:
    tagger = Tagger(taxonomy)

    def predict(p: GoldPassage) -> tuple[set[str], set[str]]:
        r = tagger.tag(p.text, p.section)
        return set(r.veivalg), set(r.themes)

    return predict


def baseline_predictor(taxonomy: Taxonomy) -> Predict:
    """Any cue term of a tag, as a whole lowercase word or phrase in the text: the tag applies."""
    patterns = {
        (t.kind, t.slug): [
            re.compile(rf"(?<!\w){re.escape(term.lower())}(?!\w)") for term in t.terms
        ]
        for t in (*taxonomy.veivalg, *taxonomy.themes)
    }

    def predict(p: GoldPassage) -> tuple[set[str], set[str]]:
        text = p.text.lower()
        got = {
            k: {
                s
                for (kind, s), pats in patterns.items()
                if kind == k and any(x.search(text) for x in pats)
            }
            for k in ("veivalg", "theme")
        }
        return got["veivalg"], got["theme"]

    return predict


@dataclass
class Scores:
    per_tag: dict[str, tuple[float, float, float, int]]  # precision, recall, f1, support
    micro: tuple[float, float, float]
    macro_f1: float


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def evaluate(
    gold: list[GoldPassage], predict: Predict, slugs: dict[str, list[str]]
) -> dict[str, Scores]:
    """Scores for veivalg and for themes."""
    preds = [predict(g) for g in gold]
    out = {}
    for kind, index in (("veivalg", 0), ("theme", 1)):
        per_tag = {}
        TP = FP = FN = 0
        for slug in slugs[kind]:
            tp = fp = fn = 0
            for g, pr in zip(gold, preds, strict=True):
                truth = slug in (g.veivalg if kind == "veivalg" else g.themes)
                said = slug in pr[index]
                tp += truth and said
                fp += said and not truth
                fn += truth and not said
            TP, FP, FN = TP + tp, FP + fp, FN + fn
            per_tag[slug] = (*_prf(tp, fp, fn), tp + fn)
        supported = [v[2] for v in per_tag.values() if v[3]]
        out[kind] = Scores(per_tag, _prf(TP, FP, FN), sum(supported) / len(supported))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--taxonomy", help="taxonomy TOML (default: kbase's own)")
    ap.add_argument("--gold", default=str(GOLD))
    args = ap.parse_args()
    taxonomy = load_taxonomy(args.taxonomy)
    gold = load_gold(Path(args.gold))
    slugs = {"veivalg": taxonomy.slugs("veivalg"), "theme": taxonomy.slugs("theme")}
    ours = evaluate(gold, kbase_predictor(taxonomy), slugs)
    base = evaluate(gold, baseline_predictor(taxonomy), slugs)
    print(f"gold set: {len(gold)} passages ({args.gold})\n")
    for kind in ("veivalg", "theme"):
        print(f"{kind:<45} {'P':>5} {'R':>5} {'F1':>5} {'n':>4}   baseline F1")
        for slug, (p, r, f, n) in ours[kind].per_tag.items():
            print(
                f"  {slug:<43} {p:5.2f} {r:5.2f} {f:5.2f} {n:4d}   {base[kind].per_tag[slug][2]:5.2f}"
            )
        mp, mr, mf = ours[kind].micro
        bp, br, bf = base[kind].micro
        print(
            f"  {'micro':<43} {mp:5.2f} {mr:5.2f} {mf:5.2f}        {bf:5.2f}  (P {bp:.2f} R {br:.2f})"
        )
        print(
            f"  {'macro F1':<43} {'':>11} {ours[kind].macro_f1:5.2f}        {base[kind].macro_f1:5.2f}\n"
        )


if __name__ == "__main__":
    main()
