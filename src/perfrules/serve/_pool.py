"""Worker processes for the server: each request's reading and scoring runs in one,
and a request past its time limit has its process killed and replaced.

A thread cannot be stopped in Python; a process can. A hostile file (a zip
that unpacks forever, a PDF that makes the parser loop) therefore costs one
worker for at most ``timeout`` seconds and never the server: the event loop
only waits on a pipe, in a thread of its own per worker.

Workers start from a fork server where the platform has one (Linux, macOS):
a clean process with perfrules imported, forked for each new worker, so that a
replacement starts in milliseconds and never inherits the server's threads.
Elsewhere (Windows) they are spawned.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import sys
import tempfile
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Optional

from .._registry import Registry
from ._work import Job, Result, handle

#: what :meth:`Pool.run` answers when the job took too long (its worker was killed)
TIMED_OUT = "timed-out"


def _main(conn: Any) -> None:  # pragma: no cover - runs in a worker process
    """A worker: do the jobs sent by the server until told to stop."""
    import signal

    from .._registry import get_registry
    from ._work import error_result

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server handles Ctrl-C
    registry = get_registry()
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        result = handle(job, registry)
        try:
            conn.send(result)
        except Exception as exc:  # never leave the server waiting
            conn.send(error_result(500, "internal-error", type(exc).__name__, job.lang, None))


#: The longest Unix socket path (sun_path is 108 bytes on Linux, 104 on macOS), less the
#: ``/pymp-XXXXXXXX/listener-XXXXXXXX`` the forkserver adds to the temporary folder.
_SOCKET_ROOM = 104 - 34


def _context() -> Any:
    """forkserver where it works (workers start fast, with perfrules imported), else spawn.

    The forkserver listens on a Unix socket in the temporary folder, whose path may not pass
    about 104 bytes: under a deep ``TMPDIR`` (CI checkouts, containers) it cannot start, so
    the server takes spawn instead of failing to start.
    """
    methods = multiprocessing.get_all_start_methods()
    room = len(os.fsencode(tempfile.gettempdir())) <= _SOCKET_ROOM
    if "forkserver" in methods and sys.platform != "win32" and room:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["perfrules.serve._work"])
        return ctx
    return multiprocessing.get_context("spawn")  # pragma: no cover - Windows


class _Worker:
    def __init__(self, ctx: Any) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_main, args=(child,), daemon=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            self.process.start()
        child.close()

    def wait(self, timeout: float) -> Optional[Result]:
        """The job's result, or None when it is not done within ``timeout`` seconds."""
        if not self.conn.poll(timeout):
            return None
        result: Result = self.conn.recv()  # EOFError when the worker died
        return result

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.send(None)
        self.process.join(2)
        if self.process.is_alive():
            self.kill()
        else:
            self.conn.close()


class Pool:
    """``size`` worker processes; ``size == 0`` runs jobs in threads of this process
    with ``registry`` (for embedding and tests: a thread is not stopped at its
    time limit, only answered for). Worker processes build their registry as
    :func:`perfrules.get_registry` does: entry points, ``PERFRULES_PLUGINS``."""

    def __init__(self, size: int, registry: Optional[Registry] = None) -> None:
        self.size = size
        self.registry = registry
        self._ctx = _context() if size > 0 else None
        self._idle: list[Optional[_Worker]] = []
        self._lock = threading.Lock()
        self._threads = ThreadPoolExecutor(max_workers=max(size, 4),
                                           thread_name_prefix="perfrules-serve")
        self._free: Optional[asyncio.Semaphore] = None

    def start(self) -> None:
        """Start the workers (blocking: call it before serving)."""
        self._idle = [self._new() for _ in range(self.size)]

    def _new(self) -> _Worker:
        return _Worker(self._ctx)

    async def run(self, job: Job, timeout: float) -> Any:
        """The job's :class:`Result`, or :data:`TIMED_OUT`, or ``("stopped", exitcode)``."""
        loop = asyncio.get_running_loop()
        if self.size == 0:
            future = loop.run_in_executor(self._threads, handle, job, self.registry)
            try:
                return await asyncio.wait_for(future, timeout)
            except asyncio.TimeoutError:
                return TIMED_OUT
        if self._free is None:
            self._free = asyncio.Semaphore(self.size)
        async with self._free:
            worker = self._idle.pop()
            try:
                if worker is None or not worker.process.is_alive():
                    if worker is not None:
                        worker.kill()
                    worker = None
                    worker = await loop.run_in_executor(self._threads, self._new)
                worker.conn.send(job)
                try:
                    result = await loop.run_in_executor(self._threads, worker.wait, timeout)
                except (EOFError, OSError):
                    worker.process.join(2)
                    code = worker.process.exitcode
                    worker.kill()
                    worker = None
                    return ("stopped", code)
                if result is None:
                    worker.kill()
                    worker = None
                    return TIMED_OUT
                return result
            except BaseException:
                if worker is not None:  # cancelled, or failed to send: its state is unknown
                    worker.kill()
                    worker = None
                raise
            finally:
                self._idle.append(worker)  # None: a new worker is started on next use

    def close(self) -> None:
        """Stop every worker."""
        for worker in self._idle:
            if worker is not None:
                worker.stop()
        self._idle = []
        self._threads.shutdown(wait=False)
