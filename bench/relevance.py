"""Search relevance on a judged query set: nDCG@10, Success@5 and MRR for kbase against plain
Whoosh (standard analyzer, no Norwegian handling) over the same passages, in the same run.

Run: python bench/relevance.py [--verbose]
Data: the sample corpus plus bench/relevance/docs; judgments in bench/relevance/judgments.txt.
"""

from __future__ import annotations

import argparse
import math
import shutil
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HERE = ROOT / "bench" / "relevance"

from kbase import KnowledgeBase  # noqa: E402


@dataclass
class Judged:
    cls: str
    query: str
    grades: dict[str, int]  # passage_id -> grade


def load_judgments(kb: KnowledgeBase) -> list[Judged]:
    """Resolve "grade doc: substring" to passage ids; a judgment that matches nothing is an error."""
    passages = [(Path(d.source).name, p) for d in kb.documents() for p in kb.passages(d.doc_id)]
    out = []
    for line in (HERE / "judgments.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cls, query, spec = (part.strip() for part in line.split("|", 2))
        grades: dict[str, int] = {}
        for item in spec.split(" ; "):
            grade, rest = item.strip().split(" ", 1)
            doc, text = (x.strip() for x in rest.split(":", 1))
            text = text.replace("\\n", "\n")
            found = [
                p.passage_id for name, p in passages if name.startswith(doc) and text in p.text
            ]
            if not found:
                raise SystemExit(f"judgment matches no passage: {query!r}: {item!r}")
            for pid in found:
                grades[pid] = max(grades.get(pid, 0), int(grade))
        out.append(Judged(cls, query, grades))
    return out


def metrics(ranked: list[str], grades: dict[str, int]) -> tuple[float, float, float]:
    """nDCG@10, Success@5 (a relevant passage in the top 5), reciprocal rank."""
    dcg = sum((2 ** grades.get(pid, 0) - 1) / math.log2(i + 2) for i, pid in enumerate(ranked[:10]))
    ideal = sorted(grades.values(), reverse=True)[:10]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    success = float(any(grades.get(pid, 0) > 0 for pid in ranked[:5]))
    rr = next((1 / (i + 1) for i, pid in enumerate(ranked) if grades.get(pid, 0) > 0), 0.0)
    return (dcg / idcg if idcg else 0.0), success, rr


def plain_whoosh(kb: KnowledgeBase, folder: Path, or_group: bool) -> Callable[[str], list[str]]:
    """The same passages in plain Whoosh: StandardAnalyzer, default query parser."""
    from whoosh import index
    from whoosh.fields import ID, TEXT, Schema
    from whoosh.qparser import OrGroup, QueryParser

    schema = Schema(pid=ID(stored=True), body=TEXT())
    ix = index.create_in(str(folder), schema)
    with ix.writer() as w:
        for d in kb.documents():
            for p in kb.passages(d.doc_id):
                w.add_document(pid=p.passage_id, body=f"{d.title}\n{p.section}\n{p.text}")
    parser = (
        QueryParser("body", schema, group=OrGroup.factory(0.9) if or_group else None)
        if or_group
        else QueryParser("body", schema)
    )
    searcher = ix.searcher()

    def search(q: str) -> list[str]:
        return [hit["pid"] for hit in searcher.search(parser.parse(q), limit=10)]

    return search


Scores = dict[str, dict[str, tuple[float, float, float]]]


def run(verbose: bool = False) -> Scores:
    """Mean (nDCG@10, Success@5, MRR) per system and query class ("all" for every query)."""
    with tempfile.TemporaryDirectory() as tmp:
        docs = Path(tmp) / "docs"
        shutil.copytree(ROOT / "corpus", docs / "corpus")
        shutil.copytree(HERE / "docs", docs / "eval")
        with KnowledgeBase(Path(tmp) / "ix") as kb:
            report = kb.ingest(str(docs))
            assert not report.failed, report.failed
            judged = load_judgments(kb)
            systems: dict[str, Callable[[str], list[str]]] = {
                "kbase": lambda q: [h.passage.passage_id for h in kb.search(q, limit=10)],
            }
            for name, grouped in (("whoosh (AND)", False), ("whoosh (OR)", True)):
                folder = Path(tmp) / name.replace(" ", "")
                folder.mkdir()
                systems[name] = plain_whoosh(kb, folder, grouped)
            raw: dict[str, dict[str, list[tuple[float, float, float]]]] = {
                s: defaultdict(list) for s in systems
            }
            for j in judged:
                row = []
                for name, search in systems.items():
                    m = metrics(search(j.query), j.grades)
                    raw[name][j.cls].append(m)
                    raw[name]["all"].append(m)
                    row.append(f"{m[0]:.2f}")
                if verbose:
                    print(f"{j.cls:<11} {j.query:<40} " + "  ".join(row))
    return {
        s: {c: tuple(sum(m[i] for m in ms) / len(ms) for i in range(3)) for c, ms in per.items()}
        | {"_n": {c: len(ms) for c, ms in per.items()}}  # type: ignore[dict-item]
        for s, per in raw.items()
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--verbose", action="store_true", help="print every query's nDCG@10")
    args = ap.parse_args()
    scores = run(args.verbose)
    counts = scores["kbase"]["_n"]
    print(f"{counts['all']} judged queries over the sample corpus and bench/relevance/docs\n")
    classes = sorted(c for c in counts if c != "all") + ["all"]
    print(f"{'class':<12}{'n':>4}   " + "   ".join(f"{s:>20}" for s in scores))
    print(f"{'':<16}   " + "   ".join(f"{'nDCG@10 S@5  MRR':>20}" for _ in scores))
    for c in classes:
        cells = [
            f"{scores[s][c][0]:>7.3f} {scores[s][c][1]:>4.2f} {scores[s][c][2]:>5.2f}"
            for s in scores
        ]
        print(f"{c:<12}{counts[c]:>4}   " + "   ".join(f"{x:>20}" for x in cells))


if __name__ == "__main__":
    main()
