"""Reading each file in a worker process of its own, under a time and a memory limit, so that
one file can neither hang a batch nor exhaust the machine's memory.

Workers are forked (POSIX): the parent's imported readers and tagger are shared, nothing is
pickled on the way in, and the result comes back over a pipe. Where fork is not available,
files are read in-process without the limits (said in docs/reliability.md).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing import connection, get_all_start_methods, get_context
from typing import Any, TypeVar

from ..errors import ExtractionError, KbaseError, UnsupportedFormatError

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
        wanted = self.workers or os.cpu_count() or 1
        return max(1, min(wanted, jobs))

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
    return "fork" in get_all_start_methods() and sys.platform != "win32"


def _address_space() -> int:
    """This process's virtual memory size in bytes (0 where it cannot be read)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _child(
    fn: Callable[[T], R], job: T, conn: connection.Connection, limits: Limits
) -> None:  # pragma: no cover - runs in the forked worker; its outcomes are tested end to end
    import resource

    base = _address_space()
    if base:
        cap = base + limits.max_memory_mb * MB
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    try:
        outcome: tuple[str, Any] = ("ok", fn(job))
    except UnsupportedFormatError as exc:
        outcome = ("unsupported", str(exc))
    except KbaseError as exc:
        outcome = ("error", str(exc))
    except MemoryError:
        outcome = ("error", memory_message(limits))
    except RecursionError:
        outcome = ("error", "too deeply nested to read (the reader ran out of stack)")
    except Exception as exc:  # a library's bug on one file must not stop the batch
        outcome = ("error", f"could not be read ({type(exc).__name__}: {exc})")
    try:
        conn.send(outcome)
    except MemoryError:
        conn.send(("error", memory_message(limits)))
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


def _in_process(fn: Callable[[T], R], job: T) -> tuple[str, Any]:
    try:
        return ("ok", fn(job))
    except UnsupportedFormatError as exc:
        return ("unsupported", str(exc))
    except KbaseError as exc:
        return ("error", str(exc))
    except RecursionError:
        return ("error", "too deeply nested to read (the reader ran out of stack)")
    except Exception as exc:  # a library's bug on one file must not stop the batch
        return ("error", f"could not be read ({type(exc).__name__}: {exc})")


def run_isolated(
    fn: Callable[[T], R], jobs: list[T], limits: Limits
) -> Iterator[tuple[int, str, Any]]:
    """Run `fn` on each job in a forked worker; yield (job index, status, value) in job order.

    status is "ok" (value: what fn returned), "unsupported" or "error" (value: the reason).
    """
    if not jobs:
        return
    if not can_isolate():
        for i, job in enumerate(jobs):
            yield (i, *_in_process(fn, job))
        return
    ctx = get_context("fork")
    width = limits.worker_count(len(jobs))
    running: dict[Any, tuple[int, Any, Any, float]] = {}  # sentinel -> (i, proc, conn, start)
    done: dict[int, tuple[str, Any]] = {}
    try:
        yield from _schedule(ctx, fn, jobs, limits, width, running, done)
    finally:  # the caller stopped early or raised: no worker outlives the batch
        for _, proc, conn, _ in running.values():
            proc.kill()
            proc.join(5)
            conn.close()


def _schedule(
    ctx: Any,
    fn: Callable[[T], R],
    jobs: list[T],
    limits: Limits,
    width: int,
    running: dict[Any, tuple[int, Any, Any, float]],
    done: dict[int, tuple[str, Any]],
) -> Iterator[tuple[int, str, Any]]:
    next_job = 0
    next_out = 0
    while next_out < len(jobs):
        while next_job < len(jobs) and len(running) < width:
            recv, send = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=_child, args=(fn, jobs[next_job], send, limits), daemon=True)
            proc.start()
            send.close()
            running[recv] = (next_job, proc, recv, time.monotonic())
            next_job += 1
        if running:
            now = time.monotonic()
            wait_for = min(start + limits.timeout for _, _, _, start in running.values()) - now
            ready = connection.wait(list(running), timeout=max(0.0, wait_for))
            for conn in ready:
                i, proc, _, _ = running.pop(conn)
                try:
                    done[i] = conn.recv()
                except (EOFError, OSError):
                    proc.join(5)
                    done[i] = ("error", _death_reason(proc.exitcode, limits))
                conn.close()
                proc.join(5)
            now = time.monotonic()
            for conn, (i, proc, _, start) in list(running.items()):
                if now - start >= limits.timeout:
                    proc.kill()
                    proc.join(5)
                    conn.close()
                    del running[conn]
                    done[i] = ("error", timeout_message(limits))
        while next_out in done:
            status, value = done.pop(next_out)
            yield next_out, status, value
            next_out += 1


def _death_reason(exitcode: int | None, limits: Limits) -> str:
    if exitcode is not None and exitcode < 0:
        if -exitcode == 9:
            return f"the reader was killed (out of memory?); {memory_message(limits)}"
        return f"the reader crashed (signal {-exitcode})"
    return f"the reader stopped without an answer (exit code {exitcode})"
