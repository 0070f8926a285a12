"""The batch engine: worker processes with a time limit per task, ordered results.

One engine serves ``perfrules audit``, :func:`perfrules.score_many` and
:mod:`perfrules.dask`. A task is any picklable object; the work done for it is
a top-level function ``fn(task, registry) -> result``. Each task runs in a
worker process with a wall-clock limit; a task that takes too long, or whose
worker dies, gets the result ``failed(task, reason)`` instead and its worker
is replaced, so the batch goes on. Results come back in input order, with a
bounded number of tasks in flight, so memory does not grow with the batch.

Settings travel as arguments: the registry reaches the workers as itself
where processes are forked (Linux), or as a :class:`Plugins` recipe — the
names of its plugins, which each worker imports — where they are spawned.
SIGTERM and SIGHUP are turned into :class:`Interrupted` while a batch runs,
as Ctrl-C is, and no worker outlives the batch or its parent.
"""

from __future__ import annotations

import collections
import contextlib
import importlib
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading
import time
import warnings
from collections.abc import Iterable, Iterator
from typing import Any, Callable, Generic, Optional, TypeVar

import attrs

from ._messages import text
from ._registry import Registry, get_registry

__all__ = ["Interrupted", "Plugins", "available_cores", "catch_signals", "run_tasks"]

T = TypeVar("T")
R = TypeVar("R")

#: A message in the language asked for ("zh" or "en").
Say = Callable[[str], str]


class Interrupted(KeyboardInterrupt):
    """A batch stopped by a signal (SIGINT, SIGTERM, SIGHUP); ``signum`` says which."""

    def __init__(self, signum: int = signal.SIGINT) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        """128 + the signal's number, as shells report a process a signal ended."""
        return 128 + int(self.signum)


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity, where the OS has one)."""
    affinity = getattr(os, "sched_getaffinity", None)
    if affinity is not None:
        with contextlib.suppress(OSError):
            return max(1, len(affinity(0)))
    return max(1, os.cpu_count() or 1)


@contextlib.contextmanager
def catch_signals() -> Iterator[None]:
    """SIGTERM and SIGHUP raise :class:`Interrupted` in the main thread, as SIGINT does.

    Outside the main thread (where Python cannot set handlers) nothing changes.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        raise Interrupted(signum)

    saved: dict[int, Any] = {}
    for name in ("SIGTERM", "SIGHUP", "SIGINT"):
        signum = getattr(signal, name, None)
        if signum is None:  # pragma: no cover - Windows has no SIGHUP
            continue
        current = signal.getsignal(signum)
        if name == "SIGINT" and current is not signal.default_int_handler:
            continue  # someone else handles Ctrl-C (or ignores it): leave it alone
        saved[signum] = current
        signal.signal(signum, handler)
    try:
        yield
    finally:
        for signum, old in saved.items():
            signal.signal(signum, old)


# -- the registry in a worker -----------------------------------------------------------


@attrs.frozen(kw_only=True)
class Plugins:
    """How a worker builds the registry of the parent: the plugins by importable name.

    ``objects`` are ``module`` or ``module:attribute`` names of plugins given
    to :class:`~perfrules.Registry` explicitly; ``allow`` the entry points
    (or distributions) loaded, ``None`` for all of them.
    """

    objects: tuple[str, ...] = ()
    builtins: bool = True
    entry_points: bool = True
    allow: Optional[tuple[str, ...]] = None

    @classmethod
    def of(cls, registry: Registry) -> Optional[Plugins]:
        """The recipe of ``registry``, or None when one of its plugins cannot be
        imported by name (an object made in ``__main__`` or in a function)."""
        from ._registry import plugin_name_of
        from .builtin import plugins as builtin_plugins

        pm = getattr(registry, "_pm", None)
        if pm is None:  # pragma: no cover - not a perfrules registry
            return None
        builtin = {id(module) for _, module in builtin_plugins()}
        objects: list[str] = []
        loaded: list[str] = []
        has_builtins = False
        for name, plugin in pm.list_name_plugin():
            if id(plugin) in builtin:
                has_builtins = True
                continue
            where = _importable(plugin)
            if where is not None and name == plugin_name_of(plugin):
                objects.append(where)
            elif where is not None and name != plugin_name_of(plugin):
                loaded.append(name)  # an entry point, loaded under its distribution's name
            else:
                return None
        return cls(objects=tuple(objects), builtins=has_builtins, entry_points=bool(loaded),
                   allow=tuple(loaded))

    def build(self) -> Registry:
        """The registry, built in this process."""
        plugins = []
        for where in self.objects:
            module, _, attr = where.partition(":")
            obj: Any = importlib.import_module(module)
            for part in filter(None, attr.split(".")):
                obj = getattr(obj, part)
            plugins.append(obj)
        return Registry(plugins, builtins=self.builtins, entry_points=self.entry_points,
                        allow=self.allow)


def _importable(plugin: object) -> Optional[str]:
    """``module`` or ``module:attribute`` naming ``plugin``, when importing it gives it back."""
    if isinstance(plugin, type(sys)):
        name = plugin.__name__
        return name if name != "__main__" and sys.modules.get(name) is plugin else None
    module_name = getattr(type(plugin), "__module__", None)
    module = sys.modules.get(module_name or "")
    if module is None or module_name == "__main__":
        return None
    for attr, value in vars(module).items():
        if value is plugin:
            return f"{module_name}:{attr}"
    return None


# -- workers ----------------------------------------------------------------------------


def _die_with_parent() -> None:  # pragma: no cover - in a child
    """Linux: the kernel ends this process when its parent dies, however it dies."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(Exception):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() == 1:  # the parent died before prctl
            os._exit(1)


def _worker(conn: Any, registry: Any,
            fn: Callable[[Any, Registry], Any]) -> None:  # pragma: no cover - in a child
    """A worker process: run ``fn`` on the tasks the parent sends until told to stop."""
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    for name in ("SIGTERM", "SIGHUP"):  # a signal to the whole group: the parent handles it
        signum = getattr(signal, name, None)
        if signum is not None:
            signal.signal(signum, signal.SIG_DFL)
    reg: Optional[Registry] = None
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        if reg is None:
            reg = (registry if isinstance(registry, Registry) else
                   registry.build() if isinstance(registry, Plugins) else get_registry())
        result = fn(task, reg)
        try:
            conn.send(result)
        except Exception as exc:  # e.g. a plugin's object that does not pickle
            conn.send(_Unsent(f"{type(exc).__name__}: {exc}"))


@attrs.frozen
class _Unsent:
    """A result the worker could not send back (it did not pickle)."""

    detail: str


def _context(method: Optional[str] = None) -> Any:
    """fork where it is safe and cheap (Linux): workers inherit the registry."""
    if method is None:
        method = "fork" if sys.platform.startswith("linux") else "spawn"
    return multiprocessing.get_context(method)


class _Worker:
    def __init__(self, ctx: Any, registry: Any, fn: Callable[[Any, Registry], Any]) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker, args=(child, registry, fn), daemon=True)
        with warnings.catch_warnings():  # fork() in a process with threads (pytest, tqdm)
            warnings.simplefilter("ignore", DeprecationWarning)
            self.process.start()
        child.close()
        self.index = -1
        self.task: Any = None
        self.deadline = 0.0

    @property
    def busy(self) -> bool:
        return self.index >= 0

    def stop(self, kill: bool = False) -> None:
        if kill:
            with contextlib.suppress(Exception):
                self.process.kill()
        else:
            try:
                self.conn.send(None)
            except OSError:
                self.process.kill()
        self.process.join(5)
        if self.process.is_alive():  # pragma: no cover - a worker that ignores its stop
            self.process.kill()
            self.process.join()
        self.conn.close()


@attrs.frozen
class Failure:
    """Why a task has no result: it took too long, or its worker stopped."""

    reason: Say
    timed_out: bool = False


class _Pool(Generic[T, R]):
    def __init__(self, fn: Callable[[T, Registry], R], failed: Callable[[T, Failure], R],
                 workers: int, timeout: Optional[float], registry: Registry,
                 start_method: Optional[str]) -> None:
        self.ctx = _context(start_method)
        self.fn, self.failed, self.timeout = fn, failed, timeout
        if self.ctx.get_start_method() == "fork":
            self.inherit: Any = registry
        else:
            self.inherit = Plugins.of(registry)
            if self.inherit is None:
                raise ValueError(
                    "the registry cannot be rebuilt in a worker process: give Registry() "
                    "plugins importable by name (a module, or an object defined at the top "
                    "of a module), or install them as 'perfrules' entry points")
        self.size = workers
        self.pool: list[_Worker] = []

    def new(self) -> _Worker:
        return _Worker(self.ctx, self.inherit, self.fn)

    def results(self, tasks: Iterable[T], window: int) -> Iterator[R]:
        source = enumerate(tasks)
        done: dict[int, R] = {}
        next_out = 0
        exhausted = False
        busy: dict[Any, _Worker] = {}
        queue: collections.deque[tuple[int, T]] = collections.deque()
        try:
            while True:
                # keep at most ``window`` tasks between the next result due and the newest sent
                while not exhausted and len(queue) + len(busy) + len(done) < window:
                    item = next(source, None)
                    if item is None:
                        exhausted = True
                    else:
                        queue.append(item)
                for slot in range(self.size):
                    if not queue:
                        break
                    if slot >= len(self.pool):
                        self.pool.append(self.new())
                    worker = self.pool[slot]
                    if worker.busy:
                        continue
                    if not worker.process.is_alive():
                        worker.stop(kill=True)
                        worker = self.pool[slot] = self.new()
                    worker.index, worker.task = queue.popleft()
                    worker.deadline = (time.monotonic() + self.timeout if self.timeout
                                       else float("inf"))
                    worker.conn.send(worker.task)
                    busy[worker.conn] = worker
                while next_out in done:
                    yield done.pop(next_out)
                    next_out += 1
                if not busy:
                    if exhausted and not queue:
                        return
                    continue
                wait = min(w.deadline for w in busy.values()) - time.monotonic()
                ready = multiprocessing.connection.wait(
                    list(busy), timeout=None if wait == float("inf") else max(wait, 0))
                for conn in ready:
                    worker = busy.pop(conn)
                    index, task = worker.index, worker.task
                    worker.index, worker.task = -1, None
                    try:
                        result: Any = worker.conn.recv()
                    except (EOFError, OSError):
                        worker.process.join(2)
                        done[index] = self.failed(task, Failure(_stopped(worker.process.exitcode)))
                        self._replace(worker)
                        continue
                    if isinstance(result, _Unsent):
                        result = self.failed(task, Failure(_say(
                            "bug", kind="PicklingError", detail=f": {result.detail[:300]}")))
                    done[index] = result
                now = time.monotonic()
                for conn, worker in list(busy.items()):
                    if worker.deadline <= now:
                        del busy[conn]
                        index, task = worker.index, worker.task
                        worker.index, worker.task = -1, None
                        worker.stop(kill=True)
                        done[index] = self.failed(task, Failure(
                            _say("took-too-long", timeout=f"{self.timeout or 0:g}"),
                            timed_out=True))
                        self._replace(worker, stopped=True)
        finally:
            self.close()

    def _replace(self, worker: _Worker, stopped: bool = False) -> None:
        slot = self.pool.index(worker)
        if not stopped:
            worker.stop(kill=True)
        self.pool[slot] = self.new()

    def close(self) -> None:
        pool, self.pool = self.pool, []
        for worker in pool:
            worker.stop(kill=True)


def _say(message_id: str, **values: object) -> Say:
    return lambda lang: text(message_id, lang, **values)


def _stopped(code: Optional[int]) -> Say:
    """Why a worker gave no answer: it stopped, with its exit code when known."""
    return lambda lang: text("worker-stopped", lang, code="" if code is None else text(
        "exit-code", lang, code=code))


def run_tasks(
    fn: Callable[[T, Registry], R],
    tasks: Iterable[T],
    *,
    failed: Callable[[T, Failure], R],
    workers: int = 1,
    timeout: Optional[float] = None,
    registry: Optional[Registry] = None,
    window: Optional[int] = None,
    start_method: Optional[str] = None,
) -> Iterator[R]:
    """``fn(task, registry)`` for each task, in input order.

    ``workers == 1`` without a ``timeout`` runs in this process; otherwise in
    ``workers`` worker processes (one, for a time limit), with at most
    ``window`` tasks (default ``8 × workers``) taken from ``tasks`` ahead of
    the next result due. ``fn`` must never raise for a bad input: its result
    says what went wrong. A task that takes more than ``timeout`` seconds, or
    whose worker dies, gives ``failed(task, failure)``. Workers are stopped
    when the iterator is closed, finished or interrupted.
    """
    reg = registry if registry is not None else get_registry()
    if workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    if workers == 1 and not timeout:
        return (fn(task, reg) for task in tasks)
    pool: _Pool[T, R] = _Pool(fn, failed, workers, timeout, reg, start_method)
    return pool.results(tasks, window or 8 * workers)
