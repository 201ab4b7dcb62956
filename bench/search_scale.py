"""Indexing rate and query latency of kbase at 10k, 100k (and 1M) passages, against SQLite
FTS5 on the same passages, in the same run.

Run: python bench/search_scale.py [--sizes 10000 100000] [--queries 200]
Passages are generated with a fixed seed: Norwegian words drawn by frequency from kbase's own
lexicon, in documents of 20 passages with headings, municipalities, types, years and tags.
Queries mix single words, two words (AND), OR, phrases and a veivalg filter; kbase returns 10
hits with snippets, the total and the facets; FTS5 returns 10 rows with snippet(), the total
(count) and the veivalg counts, so both do the same work.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from bisect import bisect
from itertools import accumulate
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kbase.analysis import STOP_WORDS  # noqa: E402
from kbase.compounds import lexicon  # noqa: E402
from kbase.index.store import IndexStore  # noqa: E402
from kbase.model import Document, Passage  # noqa: E402
from kbase.search import run_search  # noqa: E402
from kbase.taxonomy import load_taxonomy  # noqa: E402

PER_DOC = 20


class Words:
    """Lexicon words drawn with Zipf-like frequency (rank r weighs 1/r)."""

    def __init__(self, rng: random.Random) -> None:
        ranked = sorted(lexicon().items(), key=lambda kv: kv[1])
        self.words = [w for w, _ in ranked if w.isalpha()][:30000]
        self.cum = list(accumulate(1 / (i + 1) for i in range(len(self.words))))
        self.rng = rng

    def draw(self, n: int) -> list[str]:
        top = self.cum[-1]
        return [self.words[bisect(self.cum, self.rng.random() * top)] for _ in range(n)]


def generate(count: int, seed: int):  # type: ignore[no-untyped-def]
    """(Document, passages) pairs for `count` passages."""
    rng = random.Random(seed)
    words = Words(rng)
    tax = load_taxonomy()
    veivalg = [t.slug for t in tax.veivalg]
    themes = [t.slug for t in tax.themes]
    kommuner = ["Fjordvik", "Nordfjell", "Sørvik", "Austbygd", "Vestli"]
    for d in range((count + PER_DOC - 1) // PER_DOC):
        doc_id = f"plan-{d:06}"
        title = " ".join(words.draw(4)).capitalize()
        passages = []
        for i in range(min(PER_DOC, count - d * PER_DOC)):
            text = " ".join(words.draw(rng.randint(40, 120))).capitalize() + "."
            passages.append(
                Passage(
                    passage_id=f"{doc_id}:{i:04}",
                    doc_id=doc_id,
                    text=text,
                    section=" > ".join(w.capitalize() for w in words.draw(2)),
                    page=i // 3 + 1,
                    order=i,
                    veivalg=tuple(rng.sample(veivalg, rng.randint(0, 2))),
                    themes=tuple(rng.sample(themes, rng.randint(0, 2))),
                )
            )
        doc = Document(
            doc_id=doc_id,
            title=title,
            kommune=rng.choice(kommuner),
            doc_type=rng.choice(["temaplan", "handlingsplan", "pressemelding"]),
            year=rng.randint(2015, 2026),
            source=f"{doc_id}.pdf",
            url=None,
            sha256="0" * 64,
            pages=len(passages) // 3 + 1,
            passages=len(passages),
            ingested_at="2026-11-22T00:00:00+00:00",
            veivalg=(),
            themes=(),
        )
        yield doc, passages


def queries(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    words = Words(rng)
    mid = [w for w in words.words[200:5000] if w not in STOP_WORDS]
    tax = load_taxonomy()
    out = []
    for i in range(n):
        a, b = rng.choice(mid), rng.choice(mid)
        kind = i % 5
        if kind == 0:
            out.append(a)
        elif kind == 1:
            out.append(f"{a} {b}")
        elif kind == 2:
            out.append(f"{a} OR {b}")
        elif kind == 3:
            common = [w for w in words.words[20:200] if w not in STOP_WORDS]
            out.append(f'"{rng.choice(common)} {rng.choice(common)}"')
        else:
            out.append(f"{a} veivalg:{rng.choice(tax.veivalg).slug}")
    return out


def fts_query(q: str) -> tuple[str, str | None]:
    """The same query in FTS5 syntax, and the veivalg filter."""
    slug = None
    if " veivalg:" in q:
        q, slug = q.split(" veivalg:")
    return q, slug


def p(values: list[float], pct: float) -> float:
    return statistics.quantiles(values, n=100)[int(pct) - 1] if len(values) > 1 else values[0]


def bench(size: int, nq: int, work: Path, built: Path | None = None) -> dict[str, float]:
    index = built or work / f"kbase-{size}"
    store = IndexStore(index)
    db = sqlite3.connect(str(work / f"fts-{size}.db"))
    db.execute(
        "CREATE VIRTUAL TABLE t USING fts5(text, section, title, veivalg UNINDEXED, "
        "tokenize='unicode61 remove_diacritics 0')"
    )
    kbase_rate = float("nan")
    have, want = store.searcher().doc_count(), size + size // PER_DOC
    if have > want or have % (PER_DOC + 1):
        raise SystemExit(f"{index} does not hold generated passages of a run of this script")
    if have < want:  # build, or go on building where an earlier run stopped
        skip = have // (PER_DOC + 1)  # documents already there (the same: a fixed seed)
        batch: list[tuple[Document, list[Passage]]] = []
        for d, (doc, passages) in enumerate(generate(size, 7)):
            if d < skip:
                continue
            if d == skip:
                start = time.monotonic()
            batch.append((doc, passages))
            if len(batch) * PER_DOC >= 20000:
                with store.writer() as w:
                    for one, ps in batch:
                        store.add_document(w, one, ps)
                batch = []
        if batch:
            with store.writer() as w:
                for one, ps in batch:
                    store.add_document(w, one, ps)
        kbase_rate = (size - skip * PER_DOC) / (time.monotonic() - start)
        print(f"  {size} passages indexed by kbase at {kbase_rate:.0f}/s", file=sys.stderr)
    start = time.monotonic()
    with db:
        for doc, passages in generate(size, 7):
            db.executemany(
                "INSERT INTO t VALUES (?, ?, ?, ?)",
                [(x.text, x.section, doc.title, ",".join(x.veivalg)) for x in passages],
            )
    fts_rate = size / (time.monotonic() - start)
    size_mb = sum(f.stat().st_size for f in index.iterdir()) / 2**20
    qs = queries(nq, 11)
    run_search(store, qs[0], limit=10)  # open the searcher once, as a running process would
    ours = []
    for q in qs:
        t = time.perf_counter()
        run_search(store, q, limit=10)
        ours.append((time.perf_counter() - t) * 1000)
    theirs = []
    for q in qs:
        text, slug = fts_query(q)
        flt = " AND veivalg LIKE ?" if slug else ""
        args = [text, f"%{slug}%"] if slug else [text]
        t = time.perf_counter()
        db.execute(
            f"SELECT rowid, snippet(t, 0, '**', '**', '…', 12), bm25(t) FROM t "
            f"WHERE t MATCH ?{flt} ORDER BY bm25(t) LIMIT 10",
            args,
        ).fetchall()
        db.execute(f"SELECT count(*) FROM t WHERE t MATCH ?{flt}", args).fetchone()
        db.execute(
            f"SELECT veivalg, count(*) FROM t WHERE t MATCH ?{flt} GROUP BY veivalg", args
        ).fetchall()
        theirs.append((time.perf_counter() - t) * 1000)
    store.close()
    db.close()
    # a new `kbase search` process: start-up, opening the index, the first query; with kbase
    # byte-compiled, as after a first run of an ordinary install
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "kbase")], check=True)
    cold = []
    for q in qs[:5]:
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "kbase", "--index", str(index), "search", q],
            capture_output=True,
        )
        cold.append(time.perf_counter() - t)
    return {
        "cold": statistics.median(cold),
        "kbase_rate": kbase_rate,
        "fts_rate": fts_rate,
        "size_mb": size_mb,
        "k50": p(ours, 50),
        "k95": p(ours, 95),
        "f50": p(theirs, 50),
        "f95": p(theirs, 95),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10000, 100000])
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument(
        "--index",
        type=Path,
        help="use an index an earlier run of this script built (with --sizes giving the "
        "passage count): a complete one is only queried, a partial one is completed first "
        "and the rate is measured over the passages added",
    )
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kbase-scale-"))
    try:
        print(
            f"{'passages':>9}  {'kbase idx/s':>11}  {'FTS5 idx/s':>10}  {'index MB':>8}  "
            f"{'kbase p50':>9}  {'p95':>7}  {'FTS5 p50':>8}  {'p95':>7}  {'p95 ratio':>9}  "
            f"{'cold search':>11}"
        )
        for size in args.sizes:
            r = bench(size, args.queries, work, args.index)
            print(
                f"{size:>9}  {r['kbase_rate']:>11.0f}  {r['fts_rate']:>10.0f}  {r['size_mb']:>8.1f}  "
                f"{r['k50']:>7.1f}ms  {r['k95']:>5.1f}ms  {r['f50']:>6.1f}ms  {r['f95']:>5.1f}ms  "
                f"{r['k95'] / r['f95']:>9.1f}  {r['cold']:>10.2f}s",
                flush=True,
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
