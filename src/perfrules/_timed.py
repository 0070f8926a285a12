"""One call in a worker process with a wall-clock limit (``score`` and ``convert --timeout``).

The same way ``perfrules audit`` bounds a file (``--timeout``, 60 s by default): the work
runs in a child process — forked on Linux, so that it inherits the registry — and a child
that takes longer is killed, whatever it is doing (a regular expression, NFKC or zlib in C
code cannot be interrupted from Python inside the process). What the call returns or
raises comes back to the caller by pickle.
"""

from __future__ import annotations

import multiprocessing
import sys
import warnings
from typing import Any, Callable, Optional

__all__ = ["TimedOut", "call_with_timeout"]


class TimedOut(Exception):
    """The call took longer than its limit; its process was stopped."""

    def __init__(self, timeout: float) -> None:
        super().__init__(f"took longer than {timeout:g} s")
        self.timeout = timeout


def _child(conn: Any, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:  # pragma: no cover
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    try:
        result: tuple[str, Any] = ("ok", fn(*args))
    except BaseException as exc:  # everything goes back to the parent, as it was raised
        result = ("raised", exc)
    try:
        conn.send(result)
    except Exception as exc:  # a value or an exception that does not pickle
        conn.send(("raised", RuntimeError(f"{type(exc).__name__}: {exc}")))
    conn.close()


def call_with_timeout(fn: Callable[..., Any], args: tuple[Any, ...],
                      timeout: Optional[float]) -> Any:
    """``fn(*args)`` in a worker process, stopped after ``timeout`` seconds (:class:`TimedOut`).

    ``timeout`` None or 0: called in this process. Exceptions raised by ``fn`` are raised
    here; a worker that dies is an :class:`OSError` naming its exit code.
    """
    if not timeout:
        return fn(*args)
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    ctx: Any = multiprocessing.get_context(method)
    parent, child = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(child, fn, args), daemon=True)
    with warnings.catch_warnings():  # fork() in a process with threads (pytest, tqdm)
        warnings.simplefilter("ignore", DeprecationWarning)
        process.start()
    child.close()
    try:
        if not parent.poll(timeout):
            raise TimedOut(timeout)
        try:
            kind, value = parent.recv()
        except (EOFError, OSError):
            process.join(2)
            raise OSError(f"the worker process stopped (exit code {process.exitcode})") from None
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        parent.close()
    if kind == "raised":
        raise value
    return value
