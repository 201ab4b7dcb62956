"""A long file's work shared with helper processes where cores are spare (`split_work`): the
same results as one process, in order, and no helper outlives its worker."""

from __future__ import annotations

import dataclasses
import gc
import os
import signal
import subprocess
import time
import weakref
from pathlib import Path
from typing import Any

import pytest
from conftest import make_pdf
from whoosh.writing import SegmentWriter

import kbase.kb as kb_module
from kbase import KnowledgeBase, Limits
from kbase.index import packed, store
from kbase.index.store import IndexStore, KbaseWriter
from kbase.ingest import isolate, pdf
from kbase.ingest.isolate import run_isolated, split_work

THEMES = [
    (
        "Hverdagsrehabilitering",
        "Kommunen gir hverdagsrehabilitering i hjemmet til eldre som vil mestre egen hverdag.",
    ),
    ("Pårørende", "Pårørende til personer med demens får avlastning og veiledning fra kommunen."),
    (
        "Velferdsteknologi",
        "Digitalt tilsyn og medisindispensere gjør det tryggere å bo hjemme lenger.",
    ),
]


VOLUNTEERS = ("Frivillighet", "Frivillige fra lag og foreninger besøker eldre som bor alene.")


def long_plan(path: Path, pages: int, halves: bool = False) -> Path:
    """A plan of `pages` pages, three sections a page, a ruled table on every tenth; with
    `halves`, the third section of the later half of the pages is on volunteers."""
    specs = []
    for n in range(1, pages + 1):
        items: list[tuple[str, object]] = [("gap", ""), ("gap", "")]  # below the running header
        themes = THEMES if not halves or n <= pages // 2 else THEMES[:2] + [VOLUNTEERS]
        for heading, text in themes:
            items += [
                ("h2", f"{heading} {n}"),
                ("p", text),
                ("p", f"Tiltak {n} gjelder i planperioden."),
            ]
        if n % 10 == 0:
            items.append(("table", [["Tiltak", "Ansvar"], [f"Tiltak {n}", "Helse og omsorg"]]))
        specs.append(items)
    return make_pdf(path, specs, title="Temaplan for helse og omsorg")


@pytest.fixture
def helpers(monkeypatch: pytest.MonkeyPatch) -> None:
    """This test process may fork one helper, as a worker with a spare core may."""
    monkeypatch.setattr(isolate, "_helpers", 1)


def test_spare_cores_are_shared_among_the_workers_a_batch_starts() -> None:
    assert Limits(workers=2).spare(1) == 1  # one file on two cores: one helper
    assert Limits(workers=1).spare(1) == 0  # --workers 1: one process, as asked
    assert Limits(workers=2).spare(5) == 0  # both cores already read files
    assert Limits(workers=4).spare(2) == 1
    assert Limits(workers=3).spare(2) == 0


def test_split_work_keeps_order_and_gives_the_later_part_to_a_helper(helpers: None) -> None:
    me = os.getpid()
    got = split_work(lambda lo, hi: [(i, os.getpid()) for i in range(lo, hi)], 25, 10)
    assert [i for i, _ in got] == list(range(25))
    assert {pid for i, pid in got if i < 12} == {me}
    [other] = {pid for i, pid in got if i >= 12}
    assert other != me


def test_split_work_stays_in_process_below_the_minimum_or_without_spare_cores(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    me = os.getpid()

    def who(lo: int, hi: int) -> list[int]:
        return [os.getpid()] * (hi - lo)

    monkeypatch.setattr(isolate, "_helpers", 1)
    assert split_work(who, 19, 10) == [me] * 19  # two parts of 10 do not fit in 19
    monkeypatch.setattr(isolate, "_helpers", 0)
    assert split_work(who, 400, 10) == [me] * 400


@pytest.mark.parametrize("failure", ["raises", "dies"])
def test_a_failed_helper_leaves_its_part_to_the_worker(helpers: None, failure: str) -> None:
    me = os.getpid()

    def part(lo: int, hi: int) -> list[int]:
        if os.getpid() != me:
            if failure == "raises":
                raise ValueError("a page the helper could not read")
            os.kill(os.getpid(), signal.SIGKILL)
        return list(range(lo, hi))

    assert split_work(part, 30, 10) == list(range(30))


@pytest.mark.parametrize("forks", [0, 1])
def test_parts_no_process_could_be_forked_for_are_done_by_the_worker(
    monkeypatch: pytest.MonkeyPatch, forks: int
) -> None:
    real_fork, left = os.fork, [forks]

    def fork() -> int:
        if not left[0]:
            raise BlockingIOError(11, "Resource temporarily unavailable")
        left[0] -= 1
        return real_fork()

    monkeypatch.setattr(isolate, "_helpers", 2)  # three parts: 0-10, 10-20, 20-30
    monkeypatch.setattr(os, "fork", fork)
    me = os.getpid()
    got = split_work(lambda lo, hi: [(i, os.getpid()) for i in range(lo, hi)], 30, 10)
    assert [i for i, _ in got] == list(range(30))
    assert [pid == me for _, pid in got] == [True] * 10 + [not forks] * 10 + [True] * 10


def test_an_error_in_the_workers_part_is_raised_and_no_helper_is_left(
    helpers: None, tmp_path: Path
) -> None:
    me, pids = os.getpid(), tmp_path / "pids"

    def part(lo: int, hi: int) -> list[int]:
        if os.getpid() == me:
            deadline = time.monotonic() + 20
            while not pids.exists() and time.monotonic() < deadline:
                time.sleep(0.01)  # the helper is at work before this part fails
            raise ValueError("side 3 er skadet")
        (tmp_path / "pid").write_text(str(os.getpid()))
        (tmp_path / "pid").rename(pids)
        time.sleep(60)
        return []

    started = time.monotonic()
    with pytest.raises(ValueError, match="side 3 er skadet"):
        split_work(part, 30, 10)
    assert time.monotonic() - started < 30
    assert not Path(f"/proc/{pids.read_text()}").exists()  # killed and reaped


def _passages(index: Path) -> list[dict]:
    with KnowledgeBase(index) as kb:
        [doc] = kb.documents()
        record = dataclasses.asdict(doc)
        record.pop("ingested_at")
        return [record] + [dataclasses.asdict(p) for p in kb.passages(doc.doc_id)]


def test_a_long_pdf_is_read_and_tagged_in_two_processes_with_the_same_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = long_plan(tmp_path / "temaplan.pdf", 40)
    log = tmp_path / "log"
    page_range, tag = pdf._page_range, KnowledgeBase._tag

    def logged_pages(path: str, lo: int, hi: int) -> list:
        with log.open("a") as f:
            f.write(f"pages {os.getpid()} {lo} {hi}\n")
        return page_range(path, lo, hi)

    def logged_tag(self: KnowledgeBase, passages: list) -> list:
        with log.open("a") as f:
            f.write(f"tag {os.getpid()} {len(passages)}\n")
        return tag(self, passages)

    # workers fork from this process, so they run the logged functions
    monkeypatch.setattr(pdf, "_page_range", logged_pages)
    monkeypatch.setattr(KnowledgeBase, "_tag", logged_tag)
    with KnowledgeBase(tmp_path / "one") as kb:
        assert len(kb.ingest(plan, limits=Limits(workers=1)).added) == 1
    alone = log.read_text().split("\n")
    log.unlink()
    with KnowledgeBase(tmp_path / "two") as kb:
        assert len(kb.ingest(plan, limits=Limits(workers=2)).added) == 1
    shared = log.read_text().split("\n")

    assert [line.split()[0::2] for line in alone if line] == [["pages", "0"], ["tag", "124"]]
    pages = [line.split()[1:] for line in shared if line.startswith("pages")]
    assert sorted((lo, hi) for _, lo, hi in pages) == [("0", "20"), ("20", "40")]
    assert pages[0][0] != pages[1][0]  # two processes
    tagged = [line.split()[1:] for line in shared if line.startswith("tag")]
    assert sorted(n for _, n in tagged) == ["62", "62"] and tagged[0][0] != tagged[1][0]

    one, two = _passages(tmp_path / "one"), _passages(tmp_path / "two")
    assert one == two
    doc, passages = one[0], one[1:]
    assert (doc["pages"], doc["passages"]) == (40, 124)
    # page 21's sections come from the helper's pages and its passages from the helper's tags
    page_21 = [(p["page"], p["section"], p["themes"]) for p in passages if p["page"] == 21]
    assert page_21 == [
        (21, "Hverdagsrehabilitering 21", ("rehabilitering",)),
        (21, "Pårørende 21", ("parorende", "demens")),
        (21, "Velferdsteknologi 21", ("velferdsteknologi",)),
    ]
    assert [p["page"] for p in passages] == [
        n for n in range(1, 41) for _ in range(4 if n % 10 == 0 else 3)
    ]


def _alive(pid: int) -> bool:
    """True while the process runs (a zombie no one has reaped yet does not count)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def test_a_worker_killed_for_its_time_limit_takes_its_helper_with_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = long_plan(tmp_path / "temaplan.pdf", 40)
    log = tmp_path / "log"

    def stuck(path: str, lo: int, hi: int) -> list:
        with log.open("a") as f:
            f.write(f"{os.getpid()}\n")
        time.sleep(120)
        return []

    monkeypatch.setattr(pdf, "_page_range", stuck)
    with KnowledgeBase(tmp_path / "ix") as kb:
        report = kb.ingest(plan, limits=Limits(workers=2, timeout=1.5))
    [(_, reason)] = report.failed
    assert reason.startswith("took longer than the 1.5 s time limit")
    pids = [int(line) for line in log.read_text().split()]
    assert len(pids) == 2  # the worker and its helper were both reading
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in pids)


def _index_files(index: Path) -> tuple[set[str], set[str]]:
    """The segment files in the index folder, and those its table of contents names."""
    from whoosh.filedb.filestore import FileStorage

    ix = FileStorage(str(index)).open_index("kbase")
    named = {seg.segment_id() for seg in ix._segments()}
    files = {p.name for p in index.iterdir() if p.name.startswith("kbase_") and "." in p.name}
    return {f for f in files if not f.endswith((".toc", "WRITELOCK"))}, named


def _staged(index: Path) -> list[str]:
    return sorted(p.name for p in index.iterdir() if p.name.startswith(".staged-"))


def test_a_long_file_is_written_by_the_worker_and_its_helper_a_segment_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = long_plan(tmp_path / "temaplan.pdf", 40, halves=True)
    monkeypatch.setattr(kb_module, "STAGE_PASSAGES", 40)  # 124 passages: two parts
    log = tmp_path / "log"
    finish = IndexStore.finish_stage

    def logged_finish(w: KbaseWriter) -> Any:
        owner = Path(w.storage.folder).name.split("-")[1]
        with log.open("a") as f:
            f.write(f"{os.getpid()} {owner} {w.docnum}\n")
        return finish(w)

    monkeypatch.setattr(IndexStore, "finish_stage", staticmethod(logged_finish))
    monkeypatch.setattr(store, "PACK_FROM", 50)  # segments this small are packed too
    pack = packed.pack_segment

    def logged_pack(folder: Any, reader: Any) -> Any:
        with log.open("a") as f:
            f.write(f"{os.getpid()} packed\n")
        return pack(folder, reader)

    monkeypatch.setattr(packed, "pack_segment", logged_pack)
    open_packed = packed.Packed.open

    def logged_open(path: Any, docs: int) -> Any:
        with log.open("a") as f:
            f.write(f"{os.getpid()} opened\n")
        return open_packed(path, docs)

    monkeypatch.setattr(packed.Packed, "open", logged_open)
    with KnowledgeBase(tmp_path / "one") as kb:
        kb.ingest(plan, limits=Limits(workers=1))
    assert f"{os.getpid()} packed\n" in log.read_text()  # one process: the ingesting one
    log.unlink()
    with KnowledgeBase(tmp_path / "two") as kb:
        assert len(kb.ingest(plan, limits=Limits(workers=2)).added) == 1
        lines = log.read_text().splitlines()
        # the first half's passages are in the worker's segment, the second's in the helper's
        early, late = kb.search("medisindispensere", limit=99), kb.search("frivillige", limit=99)
        assert {h.passage.page for h in early} == set(range(1, 21))
        assert {h.passage.page for h in late} == set(range(21, 41))

    calls = sorted(line.split() for line in lines if line.count(" ") == 2)
    packers = [line.split()[0] for line in lines if line.endswith("packed")]
    # each segment was packed where it was written; the commit neither packs nor reads them
    assert sorted(packers) == sorted(pid for pid, *_ in calls)
    assert f"{os.getpid()} opened" not in lines
    assert [(owner, n) for _, owner, n in calls] == [(str(os.getpid()), "62")] * 2
    assert calls[0][0] != calls[1][0] != str(os.getpid())  # a worker and its helper
    one = _passages(tmp_path / "one")
    assert one == _passages(tmp_path / "two")
    # the document's tags come from both halves: each process's passages
    assert set(one[0]["themes"]) >= {"velferdsteknologi", "frivillighet"}
    files, named = _index_files(tmp_path / "two")
    # the two staged segments, packed, and the commit's own with the document's record
    assert len(named) == 3 and {f.split(".")[0] for f in files} == named
    assert len([f for f in files if f.endswith(".kbp")]) == 2
    assert _staged(tmp_path / "two") == []

    # ingested again, the staged segments replace the document: no passage twice
    with KnowledgeBase(tmp_path / "two") as kb:
        report = kb.ingest(plan, force=True, limits=Limits(workers=2))
        assert report.updated == [kb.documents()[0].doc_id]
        assert len(kb.passages(report.updated[0])) == 124
    assert _passages(tmp_path / "one") == _passages(tmp_path / "two")


def _plan_and_note(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A 40-page plan that is staged in two parts (124 passages), and a short note."""
    monkeypatch.setattr(kb_module, "STAGE_PASSAGES", 40)
    note = tmp_path / "notat.md"
    note.write_text("# Notat\n\nDemensteamet får to nye stillinger.\n", encoding="utf-8")
    return long_plan(tmp_path / "temaplan.pdf", 40), note


def test_a_segment_that_cannot_be_staged_fails_its_file_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan, note = _plan_and_note(tmp_path, monkeypatch)

    def full_disk(self: IndexStore, *args: Any, **kw: Any) -> Any:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(IndexStore, "open_stage", full_disk)
    with KnowledgeBase(tmp_path / "ix") as kb:
        report = kb.ingest(plan, limits=Limits(workers=2))
        assert report.failed == [
            (
                str(plan),
                f"cannot write its passages into {tmp_path / 'ix'} (No space left on device)",
            )
        ]
        [added] = kb.ingest(note, limits=Limits(workers=2)).added
        assert [d.doc_id for d in kb.documents()] == [added]
    assert _staged(tmp_path / "ix") == []


def test_staged_segments_of_a_failed_commit_or_a_killed_ingest_are_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan, note = _plan_and_note(tmp_path, monkeypatch)
    index = tmp_path / "ix"

    # the staged files are moved in, then the table of contents cannot be written
    ingesting, commit_toc = os.getpid(), SegmentWriter._commit_toc

    def no_toc(self: Any, segments: list) -> None:
        if os.getpid() != ingesting:  # a worker's staged segment
            return commit_toc(self, segments)
        raise OSError(5, "Input/output error")

    with monkeypatch.context() as m:
        m.setattr(SegmentWriter, "_commit_toc", no_toc)
        with KnowledgeBase(index) as kb, pytest.raises(OSError):
            kb.ingest(plan, limits=Limits(workers=2))
    files, named = _index_files(index)
    # the two staged segments were moved in (and the commit's own written): none named
    assert named == set() and len([f for f in files if f.endswith(".seg")]) == 3
    assert _staged(index) == []

    # what a killed ingest left: folders of a process that is gone; another's are kept
    gone = subprocess.Popen(["true"])
    gone.wait()
    (index / f".staged-{gone.pid}-abc").mkdir()
    (index / f".staged-{gone.pid}-abc" / "kbase_x.seg").write_bytes(b"half")
    (index / f".staged-{os.getppid()}-def").mkdir()
    with KnowledgeBase(index) as kb:
        [added] = kb.ingest(note).added
        assert [d.doc_id for d in kb.documents()] == [added]
    assert _staged(index) == [f".staged-{os.getppid()}-def"]
    files, named = _index_files(index)
    assert len(named) == 1 and {f.split(".")[0] for f in files} == named  # Whoosh cleaned up


def test_writing_pauses_the_garbage_collector_and_leaves_nothing_for_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The collector is paused while an index is written and while a worker reads a file;
    that is safe because a writer and its posting pool are freed as soon as it is done."""
    note = tmp_path / "notat.md"
    note.write_text("# Notat\n\nDemensteamet får to nye stillinger i år.\n", encoding="utf-8")
    collecting: list[bool] = []  # while the ingesting process adds the note's passages
    add = IndexStore.add_document

    def watched(w: Any, doc: Any, passages: list) -> None:
        collecting.append(gc.isenabled())
        add(w, doc, passages)

    monkeypatch.setattr(IndexStore, "add_document", staticmethod(watched))
    with KnowledgeBase(tmp_path / "ix") as kb:
        [doc_id] = kb.ingest(note).added
        doc, passages = kb.document(doc_id), kb.passages(doc_id)
        assert collecting == [False] and gc.isenabled()  # paused while writing, then again on
    writers: list[weakref.ref] = []
    init = KbaseWriter.__init__

    def recorded(self: KbaseWriter, *args: Any, **kw: Any) -> None:
        init(self, *args, **kw)
        writers.append(weakref.ref(self))

    monkeypatch.setattr(KbaseWriter, "__init__", recorded)
    index = IndexStore(tmp_path / "ix")
    gc.disable()
    try:
        with index.writer() as w:
            add(w, doc, passages)
        del w
        w = index.open_stage(os.getpid())
        index.add_passages(w, doc, passages)
        index.add_record(w, doc)
        staged = index.finish_stage(w)
        del w
        # both writers are gone without the collector: nothing in cycles kept them
        assert len(writers) == 2 and [ref() for ref in writers] == [None, None]
    finally:
        gc.enable()
    assert staged.segment.doc_count() == 2  # the passage and the document's record
    index.close()

    outcomes = list(run_isolated(lambda job: gc.isenabled(), [0, 1], Limits(workers=1)))
    assert outcomes == [(0, "ok", False), (1, "ok", False)]
