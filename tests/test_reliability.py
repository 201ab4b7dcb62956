"""Crash safety and concurrent use: `kbase ingest` killed at random moments, two writers at
once, searches during an ingest, `kbase check` and `kbase rebuild`."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from test_split import long_plan

from kbase import IndexBusyError, KnowledgeBase

SENTENCES = [
    "Kommunen skal styrke hjemmetjenesten i alle soner.",
    "Pårørende skal få bedre avlastning og en fast kontaktperson.",
    "Hverdagsrehabilitering gis til alle som søker om hjemmetjenester.",
    "Det skal bygges flere heldøgns bemannede omsorgsboliger.",
    "Velferdsteknologi skal bli en del av ordinær drift.",
    "Frivilligsentralen får økt tilskudd til seniorvenner.",
    "Legevakten samarbeider med sykehuset om trygge overganger.",
    "Demensomsorgen får en egen avdeling i det nye helsehuset.",
]


def write_version(folder: Path, version: str, count: int = 100) -> None:
    """`count` plan documents; version B rewrites every second one."""
    rng = random.Random(count)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        parts = [" ".join(rng.sample(SENTENCES, 4)) for _ in range(6)]
        if version == "B" and i % 2 == 0:
            parts = [f"Revidert utgave {i}.", *reversed(parts)]
        body = "\n\n".join(f"## Del {k}\n\n{p}" for k, p in enumerate(parts))
        (folder / f"plan-{i:03}.md").write_text(f"# Plan {i}\n\n{body}\n", encoding="utf-8")


def snapshot(index: Path) -> dict[str, tuple[str, ...]]:
    """doc_id -> the texts of its passages, in order."""
    with KnowledgeBase(index) as kb:
        return {d.doc_id: tuple(p.text for p in kb.passages(d.doc_id)) for d in kb.documents()}


def kbase(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "kbase", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> dict:
    base = tmp_path_factory.mktemp("crash")
    folder = base / "planer"
    refs = {}
    for version in ("A", "B"):
        write_version(folder, version)
        with KnowledgeBase(base / f"ref-{version}") as kb:
            assert len(kb.ingest(folder).added) == 100
        refs[version] = snapshot(base / f"ref-{version}")
    assert refs["A"].keys() == refs["B"].keys()
    assert sum(refs["A"][d] != refs["B"][d] for d in refs["A"]) == 50
    return {"base": base, "folder": folder, "refs": refs}


def test_sigkill_at_31_moments_leaves_old_or_new_documents_never_half(versions: dict) -> None:
    folder, refs = versions["folder"], versions["refs"]
    index = versions["base"] / "killed"
    start = time.monotonic()  # how long one whole ingest takes here, to kill within it
    kbase("--index", str(versions["base"] / "timed"), "ingest", str(folder)).communicate()
    whole = time.monotonic() - start
    rng = random.Random(31)
    scale = 0.55 * whole  # a changed round reads only half the files
    killed_mid_run = rounds = 0
    while killed_mid_run < 31 and rounds < 90:
        version = "AB"[rounds % 2]
        rounds += 1
        write_version(folder, version)
        proc = kbase("--index", str(index), "ingest", str(folder))
        time.sleep(rng.uniform(0.02, 1.0) * scale)
        if proc.poll() is None:
            killed_mid_run += 1
            proc.send_signal(signal.SIGKILL)
        else:
            scale *= 0.8  # it finished first: aim earlier next time
        proc.communicate(timeout=60)
        if not index.exists():
            continue  # killed before the index was created: nothing to check
        state = snapshot(index)  # opens: never damaged
        for doc_id, texts in state.items():
            assert texts in (refs["A"][doc_id], refs["B"][doc_id]), (rounds, doc_id)
        with KnowledgeBase(index) as kb:
            result = kb.check()
            assert result["problems"] == [], (rounds, result["problems"])
            if state:
                assert kb.search("hjemmetjenesten").total > 0
    assert killed_mid_run == 31  # killed during 31 ingests, not after them
    # an uninterrupted run afterwards brings every document to the files' state
    proc = kbase("--index", str(index), "ingest", str(folder))
    proc.communicate(timeout=120)
    assert proc.returncode == 0
    assert snapshot(index) == refs[version]


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="a plan is staged on a spare core")
def test_sigkill_while_a_long_plan_is_staged_leaves_old_or_new_never_half(
    tmp_path: Path,
) -> None:
    """A plan of 434 passages ingested alone is written by a worker and its helper in staged
    segments; killed at any moment, the index holds the old or the new plan."""
    target, index = tmp_path / "temaplan.pdf", tmp_path / "ix"
    plans = {"A": long_plan(tmp_path / "a.pdf", 140), "B": long_plan(tmp_path / "b.pdf", 141)}
    refs = {}
    for version, plan in plans.items():
        shutil.copyfile(plan, target)
        with KnowledgeBase(tmp_path / f"ref-{version}") as kb:
            assert len(kb.ingest(target).added) == 1
            assert len(kb._store.ix._segments()) == 3  # two staged halves and the record
        refs[version] = snapshot(tmp_path / f"ref-{version}")
    start = time.monotonic()
    kbase("--index", str(tmp_path / "timed"), "ingest", str(target)).communicate()
    whole = time.monotonic() - start
    rng = random.Random(12)
    killed_mid_run = rounds = 0
    while killed_mid_run < 10 and rounds < 40:
        version = "AB"[rounds % 2]
        rounds += 1
        shutil.copyfile(plans[version], target)
        proc = kbase("--index", str(index), "ingest", str(target))
        time.sleep(rng.uniform(0.2, 1.0) * whole)  # mostly while pages are read and written
        if proc.poll() is None:
            killed_mid_run += 1
            proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        if not index.exists():
            continue
        for doc_id, texts in snapshot(index).items():
            assert texts in (refs["A"][doc_id], refs["B"][doc_id]), rounds
        with KnowledgeBase(index) as kb:
            assert kb.check()["problems"] == [], rounds
    assert killed_mid_run == 10
    proc = kbase("--index", str(index), "ingest", str(target))
    proc.communicate(timeout=60)
    assert proc.returncode == 0 and snapshot(index) == refs[version]
    # what the killed runs staged was removed by the next one; Whoosh removed unnamed files
    assert [p.name for p in index.iterdir() if p.name.startswith(".staged-")] == []
    with KnowledgeBase(index) as kb:
        named = {seg.segment_id() for seg in kb._store.ix._segments()}
    on_disk = {p.name.split(".")[0] for p in index.glob("kbase_*.*") if p.suffix != ".toc"}
    assert on_disk - {"kbase_WRITELOCK"} == named


def test_two_writers_at_once_both_land(tmp_path: Path) -> None:
    one, two = tmp_path / "en", tmp_path / "to"
    write_version(one, "A", 60)
    write_version(two, "B", 60)  # other folders, so other document ids
    index = tmp_path / "ix"
    procs = [kbase("--index", str(index), "ingest", str(f)) for f in (one, two)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert all("60 added" in out for out, _ in outs)
    with KnowledgeBase(index) as kb:
        assert len(kb.documents()) == 120
        assert kb.check()["problems"] == []


def test_a_writer_that_waits_too_long_says_the_index_is_busy(tmp_path: Path) -> None:
    write_version(tmp_path / "planer", "A", 3)
    index = tmp_path / "ix"
    with KnowledgeBase(index) as kb:
        with kb._store.writer():  # hold the write lock as another ingest would
            proc = kbase(
                "--index",
                str(index),
                "ingest",
                str(tmp_path / "planer"),
                env={"KBASE_LOCK_TIMEOUT": "1"},
            )
            _, err = proc.communicate(timeout=60)
        assert proc.returncode == 1
        assert err.count("\n") == 1 and "is busy" in err and "Traceback" not in err
        with pytest.raises(IndexBusyError):
            with KnowledgeBase(index, lock_timeout=0.2) as other, kb._store.writer():
                other.ingest(tmp_path / "planer")
        assert kb.ingest(tmp_path / "planer").added  # the lock was released


def test_a_busy_index_stops_an_ingest_whose_batches_are_written_by_a_thread(
    tmp_path: Path,
) -> None:
    """Batches of 50 documents are indexed by a writer thread while the workers read on: GIVEN
    another writer holding the index THEN the ingest of 120 plans fails with IndexBusyError
    (not a thread's traceback), and once the index is free the same ingest indexes them all."""
    write_version(tmp_path / "planer", "A", 120)
    index = tmp_path / "ix"
    with KnowledgeBase(index) as kb:
        with kb._store.writer():
            with pytest.raises(IndexBusyError):
                with KnowledgeBase(index, lock_timeout=0.2) as other:
                    other.ingest(tmp_path / "planer")
        report = kb.ingest(tmp_path / "planer")
        assert len(report.added) == 120 and report.failed == []
        assert len(kb.documents()) == 120 and kb.check()["problems"] == []


def test_searches_keep_working_during_an_ingest(versions: dict, tmp_path: Path) -> None:
    index = tmp_path / "ix"
    write_version(tmp_path / "planer", "A", 100)
    with KnowledgeBase(index) as kb:
        kb.ingest(tmp_path / "planer" / "plan-000.md")
        proc = kbase("--index", str(index), "ingest", str(tmp_path / "planer"))
        answers = []
        while proc.poll() is None:
            answers.append(kb.search("avlastning").total)
        proc.communicate(timeout=60)
        assert proc.returncode == 0 and len(answers) >= 3
        assert answers[0] >= 1 and answers == sorted(answers)  # never fewer, never an error
        assert kb.search("avlastning").total > answers[0]


def test_index_folder_is_private(tmp_path: Path) -> None:
    with KnowledgeBase(tmp_path / "ix"):
        pass
    assert stat.S_IMODE((tmp_path / "ix").stat().st_mode) == 0o700


def test_check_finds_damage_and_rebuild_mends_it(tmp_path: Path) -> None:
    folder = tmp_path / "planer"
    write_version(folder, "A", 5)
    (folder / "tom.md").write_text("", encoding="utf-8")
    index = tmp_path / "ix"
    with KnowledgeBase(index) as kb:
        kb.ingest(folder)
        before = {d.doc_id: d.passages for d in kb.documents()}
    sources = json.loads((index / "sources.json").read_text(encoding="utf-8"))["sources"]
    assert {e["status"] for e in sources.values()} == {"indexed", "skipped"}
    for segment in index.glob("*.seg"):
        segment.write_bytes(b"\0" * segment.stat().st_size)  # a disk that lost the data
    for toc in index.glob("_kbase_*.toc"):
        toc.unlink()
    proc = kbase("--index", str(index), "search", "avlastning")
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1 and "kbase --index" in err and "rebuild" in err
    assert (index / "kbase.json").exists()  # refused, never recreated empty
    proc = kbase("--index", str(index), "rebuild")
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "5 added" in out
    with KnowledgeBase(index) as kb:
        assert {d.doc_id: d.passages for d in kb.documents()} == before
        assert kb.check()["problems"] == []
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".ix.")]


def test_a_background_thread_cannot_leave_a_writer_open(tmp_path: Path) -> None:
    """A writer is committed or cancelled even when the code inside it raises."""
    with KnowledgeBase(tmp_path / "ix") as kb:
        errors = []

        def fail() -> None:
            try:
                with kb._store.writer():
                    raise RuntimeError("boom")
            except RuntimeError as exc:
                errors.append(exc)

        t = threading.Thread(target=fail)
        t.start()
        t.join()
        assert errors
        write_version(tmp_path / "planer", "A", 2)
        assert len(kb.ingest(tmp_path / "planer").added) == 2


def test_merging_takes_ten_small_segments_and_leaves_large_ones() -> None:
    """Which segments a commit merges (by their live passages): ten small ones of the same
    order of magnitude, up to 50,000 passages, and empty ones; never segments of 10,000
    passages or more (Whoosh merges no faster than it indexes: its default policy made one
    commit of a 500,000-passage index wait over ten minutes)."""
    from kbase.index.store import segments_to_merge

    assert segments_to_merge([300] * 9) == []
    assert segments_to_merge([300] * 10) == list(range(10))
    assert segments_to_merge([40] * 3 + [400] * 10 + [4000] * 2) == list(range(3, 13))
    # smallest first: five of 6,000 and two of 9,000 make 48,000
    assert segments_to_merge([9000, 6000] * 5) == [0, 1, 2, 3, 5, 7, 9]
    assert segments_to_merge([20_000] * 24) == []
    assert segments_to_merge([120_000, 0, 5]) == [1]


def test_one_document_at_a_time_leaves_few_segments_and_loses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN eleven plans ingested one at a time, a commit each THEN the index holds one
    segment per commit up to ten, one after the eleventh (the ten merged into it), and every
    plan is found; the small segments have no packed postings, the merged one has."""
    monkeypatch.setattr("kbase.index.store.PACK_FROM", 50)  # a plan here is 7 documents
    write_version(tmp_path / "planer", "A", 11)
    with KnowledgeBase(tmp_path / "ix") as kb:
        counts, packs = [], []
        for path in sorted((tmp_path / "planer").iterdir()):
            kb.ingest(path)
            counts.append(len(kb._store.ix._segments()))
            packs.append(len(list((tmp_path / "ix").glob("*.kbp"))))
        assert counts == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1]
        assert packs == [0] * 10 + [1]
        (segment,) = kb._store.ix._segments()
        assert (tmp_path / "ix" / segment.make_filename(".kbp")).is_file()
        assert kb.check()["notes"] == []
        assert len(kb.documents()) == 11
        assert sum(len(kb.passages(d.doc_id)) for d in kb.documents()) == 11 * 6  # six parts
        found = kb.search("hjemmetjenesten", limit=100).hits
        assert len({h.document.doc_id for h in found}) == 11
        assert kb.check()["problems"] == []


def test_a_merge_writes_what_whooshs_own_merge_writes_reading_a_block_and_a_column_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN six segments, one with a plan replaced since (its old passages deleted) THEN
    kbase's merge of them, which copies postings a block at a time and reads field lengths a
    column at a time, gives the merged segment the postings, field lengths and stored fields
    Whoosh's own merge gives. Whoosh looked on disk for a missing length column once per
    passage and field (a fifth of a merge's time); kbase once per segment and field."""
    from whoosh.reading import SegmentReader
    from whoosh.writing import PostingPool, SegmentWriter

    from kbase.index.store import IndexStore, KbaseWriter

    write_version(tmp_path / "planer", "A", 10)
    plans = sorted((tmp_path / "planer").iterdir())
    with KnowledgeBase(tmp_path / "ix") as kb:
        for pair in range(5):  # a segment of two plans each
            kb.ingest(*plans[2 * pair : 2 * pair + 2])
        write_version(tmp_path / "planer", "B", 10)  # plan-000 rewritten
        assert len(kb.ingest(plans[0]).updated) == 1
        assert len(kb._store.ix._segments()) == 6

    def merge_all(writer: SegmentWriter, segments: list) -> list:
        for segment in segments:
            reader = SegmentReader(writer.storage, writer.schema, segment)
            writer.add_reader(reader)
            reader.close()
        return []

    saves: list[PostingPool] = []  # the pool spilling its postings to disk
    real_save = PostingPool.save
    monkeypatch.setattr(PostingPool, "save", lambda pool: saves.append(pool) or real_save(pool))

    def merged(name: str) -> tuple[list, list, list, int, int]:
        folder = tmp_path / name
        shutil.copytree(tmp_path / "ix", folder)
        store = IndexStore(folder)
        looked, spilled = [], len(saves)
        real_exists, real_postings = os.path.exists, SegmentReader.iter_postings
        monkeypatch.setattr(os.path, "exists", lambda p: looked.append(p) or real_exists(p))
        if name == "kbase":  # Whoosh's posting by posting copy is not used
            monkeypatch.setattr(SegmentReader, "iter_postings", None)
        # a pool of 0.1 MB spills its postings to disk on the way
        KbaseWriter(store.ix, limitmb=0.1).commit(mergetype=merge_all)
        monkeypatch.setattr(os.path, "exists", real_exists)
        monkeypatch.setattr(SegmentReader, "iter_postings", real_postings)
        store = IndexStore(folder)
        assert len(store.ix._segments()) == 1
        with store.ix.reader() as r:
            names = sorted(r.schema.names())
            docs = range(r.doc_count_all())
            stored = [r.stored_fields(n) for n in docs]
            lengths = [[r.doc_field_length(n, f) for f in names] for n in docs]
            postings = list(r.iter_postings())
        return stored, lengths, postings, len(looked), len(saves) - spilled

    stored, lengths, postings, looked, spills = merged("kbase")
    # ten plans of six passages and a record; the rewritten one has a seventh passage
    assert len(stored) == 71 and len(postings) > 1000
    assert sum("Revidert utgave 0." in d.get("text", "") for d in stored) == 1
    assert sum(n or 0 for row in lengths for n in row) > 1000
    monkeypatch.setattr(KbaseWriter, "add_reader", SegmentWriter.add_reader)
    monkeypatch.setattr(KbaseWriter, "add_postings_to_pool", SegmentWriter.add_postings_to_pool)
    whoosh_stored, whoosh_lengths, whoosh_postings, whoosh_looked, whoosh_spills = merged("whoosh")
    assert (whoosh_stored, whoosh_lengths) == (stored, lengths)
    assert whoosh_postings == postings
    assert looked * 3 < whoosh_looked
    assert spills >= 1 and abs(spills - whoosh_spills) <= 1


def test_a_commit_lands_when_its_postings_cannot_be_packed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN a disk that fills up while a segment's packed postings are written THEN the
    ingest still lands every plan, searches find them (from Whoosh's own postings), `check`
    notes the unpacked segment, no half-written file is left, and the next ingest packs it."""
    import errno

    import kbase.index.packed as packed_module

    monkeypatch.setattr("kbase.index.store.PACK_FROM", 0)
    write_version(tmp_path / "planer", "A", 3)
    real_fsync = os.fsync

    def full_disk(fd: int) -> None:
        name = os.readlink(f"/proc/self/fd/{fd}")
        if ".kbp." in name and name.endswith(".tmp"):  # a packed file being written
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    with KnowledgeBase(tmp_path / "ix") as kb:
        monkeypatch.setattr(packed_module.os, "fsync", full_disk)
        report = kb.ingest(tmp_path / "planer")
        monkeypatch.undo()
        monkeypatch.setattr("kbase.index.store.PACK_FROM", 0)
        assert len(report.added) == 3 and report.failed == []
        assert list((tmp_path / "ix").glob("*.kbp")) == []
        assert list((tmp_path / "ix").glob(".*.tmp")) == []
        assert len({h.document.doc_id for h in kb.search("hjemmetjenesten").hits}) == 3
        assert len(kb.check()["notes"]) == 1 and kb.check()["problems"] == []
        assert len(kb.ingest(tmp_path / "planer").unchanged) == 3
        assert len(list((tmp_path / "ix").glob("*.kbp"))) == 1
        assert kb.check()["notes"] == []
