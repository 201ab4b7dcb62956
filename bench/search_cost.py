"""Index size, ingest time and query latency of kbase on generated documents.

Run: python bench/search_cost.py [--copies N]. Used to compare two kbase versions on the same
data (run it once with each on PYTHONPATH); the numbers are in docs/search.md.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from tagging import load_gold  # noqa: E402

QUERIES = [
    "rehabilitering",
    "demens",
    "heldøgnsplasser",
    "heldøgns plasser",
    "pårørende avlastning",
    "velferdsteknologi",
    "hvor mange korttidsplasser har vi",
    "hjemmetjenesten",
    "bolig",
    '"under samme tak"',
    "frivillig OR seniorer",
    "sykehjem NOT budsjett",
    "rekrutt*",
    "hva sier planen om pårørende",
    "trygge overganger",
    "helsehus",
    "økonomi budsjett",
    "psykisk helse",
    "legevakt",
    "digitalt tilsyn",
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--copies", type=int, default=12)
    args = ap.parse_args()
    from kbase import KnowledgeBase

    rng = random.Random(7)
    gold = load_gold()
    with tempfile.TemporaryDirectory() as tmp:
        docs = Path(tmp) / "docs"
        docs.mkdir()
        for c in range(args.copies):
            sample = rng.sample(gold, len(gold))
            for d in range(0, len(sample), 10):
                body = "\n\n".join(
                    f"## Del {k}\n\n{g.text}" for k, g in enumerate(sample[d : d + 10])
                )
                (docs / f"plan-{c}-{d}.md").write_text(
                    f"# Plan {c}-{d}\n\n{body}\n", encoding="utf-8"
                )
        with KnowledgeBase(Path(tmp) / "ix") as kb:
            t0 = time.perf_counter()
            kb.ingest(str(docs), str(ROOT / "corpus"))
            ingest = time.perf_counter() - t0
            passages = sum(d.passages for d in kb.documents())
            size = sum(f.stat().st_size for f in (Path(tmp) / "ix").iterdir())
            for q in QUERIES:  # warm up
                kb.search(q)
            times = []
            for _ in range(5):
                for q in QUERIES:
                    t = time.perf_counter()
                    kb.search(q)
                    times.append((time.perf_counter() - t) * 1000)
    times.sort()
    print(
        f"passages {passages}  index {size / 1e6:.2f} MB  ingest {ingest:.1f} s  "
        f"query p50 {statistics.median(times):.1f} ms  p95 {times[int(len(times) * 0.95)]:.1f} ms"
    )


if __name__ == "__main__":
    main()
