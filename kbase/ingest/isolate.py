"""Reading each file in a worker process of its own, under a time and a memory limit, so that
one file can neither hang a batch nor exhaust the machine's memory.

Workers are forked (POSIX): the parent's imported readers and tagger are shared, nothing is
pickled on the way in, and the result comes back over a pipe. Where fork is not available,
files are read in-process without the limits (said in docs/reliability.md).
"""

from __future__ import annotations

import gc
import os
import pickle
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext, suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:  # multiprocessing is imported only when files are read (CLI start-up)
    from multiprocessing import connection

from ..errors import ExtractionError, KbaseError, UnsupportedFormatError, wrapped

T = TypeVar("T")
R = TypeVar("R")
MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What one file may cost. Every refusal names the limit and the option that raises it."""

    timeout: float = 120.0  # seconds of wall-clock time to read one file
    max_memory_mb: int = 1024  # memory a reader may add on top of kbase itself
    max_file_mb: int = 300  # files larger than this are not opened
    max_unzipped_mb: int = 500  # Office files: the declared size of their content, unpacked
    max_zip_ratio: int = 200  # Office files: how far one member may expand
    workers: int = 0  # processes reading files at once; 0: one per CPU core

    def worker_count(self, jobs: int) -> int:
        """How many workers to start for `jobs` files."""
        return max(1, min(self._wanted(), jobs))

    def spare(self, jobs: int) -> int:
        """Processes beyond one per file that `jobs` files leave free: each worker may fork
        as many helpers to share a long file's work (`split_work`)."""
        workers = self.worker_count(jobs)
        return max(0, self._wanted() - workers) // workers

    def _wanted(self) -> int:
        return self.workers or os.cpu_count() or 1

    @classmethod
    def from_env(cls, **given: Any) -> Limits:
        """Defaults, then `KBASE_TIMEOUT`, `KBASE_MAX_MEMORY`, `KBASE_MAX_FILE_SIZE` and
        `KBASE_WORKERS`, then the values given (None means not given)."""
        values: dict[str, Any] = {}
        for env, name, kind in (
            ("KBASE_TIMEOUT", "timeout", float),
            ("KBASE_MAX_MEMORY", "max_memory_mb", int),
            ("KBASE_MAX_FILE_SIZE", "max_file_mb", int),
            ("KBASE_WORKERS", "workers", int),
        ):
            raw = os.environ.get(env)
            if raw:
                try:
                    values[name] = kind(raw)
                except ValueError:
                    raise KbaseError(f"{env}={raw!r} is not a number") from None
        values.update({k: v for k, v in given.items() if v is not None})
        return cls(**values)


class LimitExceeded(ExtractionError):
    """A file needed more time or memory than its limit allows."""


def can_isolate() -> bool:
    """True where workers can be forked with limits (Linux and other POSIX systems)."""
    from multiprocessing import get_all_start_methods

    return "fork" in get_all_start_methods() and sys.platform != "win32"


def _address_space() -> int:
    """This process's virtual memory size in bytes (0 where it cannot be read)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


JOBS_PER_WORKER = 100  # a worker is replaced after this many files, so no leak can build up


def _out_of_memory(exc: BaseException) -> bool:
    """True if the error, or one it wraps, is running out of memory (zlib says so in words)."""
    return any(
        isinstance(e, MemoryError) or "unable to allocate" in str(e).lower() for e in wrapped(exc)
    )


def _outcome(fn: Callable[[T], R], job: T, limits: Limits) -> tuple[str, Any]:
    try:
        return ("ok", fn(job))
    except UnsupportedFormatError as exc:
        return ("unsupported", str(exc))
    except RecursionError:
        return ("error", "too deeply nested to read (the reader ran out of stack)")
    except Exception as exc:  # a library's bug on one file must not stop the batch
        if _out_of_memory(exc):
            return ("error", memory_message(limits))
        if isinstance(exc, KbaseError):
            return ("error", str(exc))
        return ("error", f"could not be read ({type(exc).__name__}: {exc})")


def _die_with_parent(parent: int) -> None:
    """Linux: have the kernel kill this worker when kbase dies (even by SIGKILL), so no orphan
    goes on reading a file or holds the terminal's pipes open."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, 9, 0, 0, 0)  # PR_SET_PDEATHSIG, SIGKILL
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)


_helpers = 0  # in a worker: how many helper processes split_work may fork (spare cores)
_parent_pipe: Any = None  # in a worker: its pipe to the parent, which a helper closes


def split_parts(count: int, minimum: int) -> int:
    """In how many parts `split_work(fn, count, minimum)` would compute its range here."""
    return max(1, min(1 + _helpers, count // max(1, minimum)))


def split_work(fn: Callable[[int, int], list[R]], count: int, minimum: int) -> list[R]:
    """`fn(0, count)`: items 0..count-1, in order. In a worker with spare cores, the range is
    cut in parts of at least `minimum` items and the later parts are computed by forked
    helper processes while this one computes the first; elsewhere `fn` runs once, here.

    On Linux a helper dies with its worker (a worker killed for its time limit takes its
    helpers with it); it runs under the worker's memory cap and forks no helpers itself. A
    helper that fails or dies leaves its part to this process, so any error is raised here,
    as without helpers.
    """
    parts = split_parts(count, minimum)
    if parts < 2:
        return fn(0, count)
    bounds = [count * k // parts for k in range(parts + 1)]
    worker = os.getpid()
    helpers: list[tuple[int, int, int, int]] = []  # pid, read end, lo, hi
    try:
        for lo, hi in zip(bounds[1:-1], bounds[2:], strict=True):
            read, write = os.pipe()
            try:
                pid = os.fork()
            except OSError:  # no process to be had (a process limit): the rest is done here
                os.close(read)
                os.close(write)
                break
            if pid == 0:  # pragma: no cover - the helper; its results are tested
                _helper(fn, lo, hi, worker, read, write)
            os.close(write)
            helpers.append((pid, read, lo, hi))
        done = helpers[-1][3] if helpers else bounds[1]
        out = list(fn(bounds[0], bounds[1]))
        while helpers:
            pid, read, lo, hi = helpers[0]
            with os.fdopen(read, "rb") as f:
                data = f.read()
            _, status = os.waitpid(pid, 0)
            helpers.pop(0)
            out.extend(pickle.loads(data) if status == 0 and data else fn(lo, hi))
        if done < count:
            out.extend(fn(done, count))
        return out
    finally:  # this process's part failed: no helper outlives it
        for pid, read, _, _ in helpers:
            with suppress(OSError):
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            with suppress(OSError):
                os.close(read)


def _helper(  # pragma: no cover - runs in a forked helper
    fn: Callable[[int, int], list[R]], lo: int, hi: int, worker: int, read: int, write: int
) -> None:
    """Compute fn(lo, hi), send it pickled to the worker and exit; exit 1 on any failure."""
    global _helpers
    code = 1
    try:
        _die_with_parent(worker)
        _helpers = 0
        os.close(read)
        if _parent_pipe is not None:
            _parent_pipe.close()
        data = pickle.dumps(fn(lo, hi), protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write, "wb") as f:
            f.write(data)
        code = 0
    finally:
        os._exit(code)


def _worker(
    fn: Callable[[T], R],
    jobs: list[T],
    conn: connection.Connection,
    limits: Limits,
    parent: int,
    others: list[connection.Connection],
    helpers: int = 0,
) -> None:  # pragma: no cover - runs in the forked worker; its outcomes are tested end to end
    """Read the jobs the parent names, one at a time, until it sends None or goes away."""
    import faulthandler
    import resource

    global _helpers, _parent_pipe
    _die_with_parent(parent)
    _helpers, _parent_pipe = helpers, conn
    # a native reader that runs out of memory aborts; the parent reports it in one line, so
    # no crash dump (PYTHONFAULTHANDLER, pytest) reaches the terminal
    faulthandler.disable()
    for other in others:  # the parent's ends of the other workers' pipes
        other.close()
    base = _address_space()
    if base:
        cap = base + limits.max_memory_mb * MB
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    while True:
        try:
            i = conn.recv()
        except (EOFError, OSError):
            break
        if i is None:
            break
        # the collector is paused for the file: reading, tagging and writing a plan make
        # little garbage in cycles (a thousand objects for 160 pages), and walking what they
        # keep cost a tenth of the time; a worker's memory is capped and freed after the file
        gc.disable()
        try:
            outcome = _outcome(fn, jobs[i], limits)
            try:
                conn.send(outcome)
            except MemoryError:
                conn.send(("error", memory_message(limits)))
        finally:
            gc.enable()
    conn.close()


def memory_message(limits: Limits) -> str:
    """The refusal for a file that needed more memory than allowed."""
    return (
        f"needs more than the {limits.max_memory_mb} MB memory limit for one file "
        "(raise it with --max-memory or KBASE_MAX_MEMORY)"
    )


def timeout_message(limits: Limits) -> str:
    """The refusal for a file that took too long."""
    return (
        f"took longer than the {limits.timeout:g} s time limit for one file "
        "(raise it with --timeout or KBASE_TIMEOUT)"
    )


def run_isolated(
    fn: Callable[[T], R],
    jobs: list[T],
    limits: Limits,
    fork_lock: AbstractContextManager[Any] | None = None,
) -> Iterator[tuple[int, str, Any]]:
    """Run `fn` on each job in forked workers; yield (job index, status, value) in job order.

    status is "ok" (value: what fn returned), "unsupported" or "error" (value: the reason).
    A worker that runs out of time is killed and replaced; the batch goes on. `fork_lock` is
    held while a worker is forked: a caller with a thread of its own (kbase's index writer)
    holds it while that thread works, so no worker is forked in the middle of it.
    """
    if not jobs:
        return
    if not can_isolate():
        for i, job in enumerate(jobs):
            yield (i, *_outcome(fn, job, limits))
        return
    pool = _Pool(fn, jobs, limits, fork_lock or nullcontext())
    try:
        yield from pool.run()
    finally:  # the caller stopped early or raised: no worker outlives the batch
        pool.stop()


class _Worker:
    def __init__(
        self,
        ctx: Any,
        fn: Callable[..., Any],
        jobs: list[Any],
        limits: Limits,
        others: list[Any],
        helpers: int,
    ) -> None:
        self.conn, child = ctx.Pipe(duplex=True)
        args = (fn, jobs, child, limits, os.getpid(), others, helpers)
        self.proc = ctx.Process(target=_worker, args=args, daemon=True)
        self.proc.start()
        child.close()
        self.job: int | None = None
        self.started = 0.0
        self.served = 0

    def give(self, i: int) -> None:
        self.conn.send(i)
        self.job, self.started, self.served = i, time.monotonic(), self.served + 1

    def kill(self) -> None:
        self.proc.kill()
        self.proc.join(5)
        self.conn.close()

    def retire(self) -> None:
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.proc.join(5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(5)
        self.conn.close()


class _Pool:
    """Long-lived forked workers, each reading one file at a time."""

    def __init__(
        self,
        fn: Callable[..., Any],
        jobs: list[Any],
        limits: Limits,
        fork_lock: AbstractContextManager[Any],
    ) -> None:
        from multiprocessing import get_context

        self.ctx = get_context("fork")
        self.fn, self.jobs, self.limits, self.fork_lock = fn, jobs, limits, fork_lock
        self.helpers = limits.spare(len(jobs))
        self.workers: list[_Worker] = []
        for _ in range(limits.worker_count(len(jobs))):
            self.workers.append(self._spawn())

    def _spawn(self) -> _Worker:
        others = [w.conn for w in self.workers if not w.conn.closed]
        with self.fork_lock:
            return _Worker(self.ctx, self.fn, self.jobs, self.limits, others, self.helpers)

    def run(self) -> Iterator[tuple[int, str, Any]]:
        from multiprocessing.connection import wait

        done: dict[int, tuple[str, Any]] = {}
        next_job = next_out = 0
        total = len(self.jobs)
        while next_out < total:
            for k, w in enumerate(self.workers):
                if w.job is None and next_job < total:
                    if w.served >= JOBS_PER_WORKER:
                        w.retire()
                        w = self.workers[k] = self._spawn()
                    w.give(next_job)
                    next_job += 1
            busy = [w for w in self.workers if w.job is not None]
            deadline = min(w.started for w in busy) + self.limits.timeout
            ready = wait([w.conn for w in busy], timeout=max(0.0, deadline - time.monotonic()))
            for k, w in enumerate(self.workers):
                if w.job is None:
                    continue
                if w.conn in ready:
                    try:
                        done[w.job] = w.conn.recv()
                        w.job = None
                        continue
                    except (EOFError, OSError):
                        w.proc.join(5)
                        done[w.job] = ("error", _death_reason(w.proc.exitcode, self.limits))
                elif time.monotonic() - w.started >= self.limits.timeout:
                    done[w.job] = ("error", timeout_message(self.limits))
                else:
                    continue
                w.kill()  # dead or out of time: replaced by a fresh worker
                self.workers[k] = self._spawn()
            while next_out in done:
                status, value = done.pop(next_out)
                yield next_out, status, value
                next_out += 1

    def stop(self) -> None:
        for w in self.workers:
            if w.job is None:
                w.retire()
            else:
                w.kill()


def _death_reason(exitcode: int | None, limits: Limits) -> str:
    if exitcode is not None and exitcode < 0:
        if -exitcode == signal.SIGKILL:
            return f"the reader was killed (out of memory?); {memory_message(limits)}"
        if -exitcode == signal.SIGABRT:  # pdfium aborts when an allocation fails
            return f"the reader stopped (out of memory?); {memory_message(limits)}"
        return f"the reader crashed (signal {-exitcode})"
    return f"the reader stopped without an answer (exit code {exitcode})"
