"""A long file's work shared with helper processes where cores are spare (`split_work`): the
same results as one process, in order, and no helper outlives its worker."""

from __future__ import annotations

import dataclasses
import os
import signal
import time
from pathlib import Path

import pytest
from conftest import make_pdf

from kbase import KnowledgeBase, Limits
from kbase.ingest import isolate, pdf
from kbase.ingest.isolate import split_work

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


def long_plan(path: Path, pages: int) -> Path:
    """A plan of `pages` pages, three sections a page, a ruled table on every tenth."""
    specs = []
    for n in range(1, pages + 1):
        items: list[tuple[str, object]] = [("gap", ""), ("gap", "")]  # below the running header
        for heading, text in THEMES:
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
