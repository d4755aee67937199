"""Ctrl-C, SIGTERM and SIGHUP end a command cleanly: temporary files are removed, journals closed, and the
command exits 130 (interrupted) or 128 + the signal's number, with one line and no traceback.

SIGTERM and SIGHUP are raised as `Stopped`, a KeyboardInterrupt, so every cleanup path that handles Ctrl-C
handles them too. Worker processes ignore these signals (a terminal sends Ctrl-C to all of them at once): the
command's process stops handing out work, lets the rows in hand finish whole, and shuts the workers down.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from concurrent.futures import Executor
from types import FrameType

INTERRUPTED = 130  # 128 + SIGINT, as shells report a command ended by Ctrl-C
STOP_SIGNALS = tuple(
    number for number in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if number
)


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP arrived: handled like Ctrl-C, and the exit status says which signal it was."""

    def __init__(self, signal_number: int) -> None:
        super().__init__(signal_number)
        self.signal_number = signal_number

    @property
    def exit_status(self) -> int:
        return 128 + self.signal_number

    @property
    def signal_name(self) -> str:
        return signal.Signals(self.signal_number).name


def exit_status(interrupt: KeyboardInterrupt) -> int:
    return interrupt.exit_status if isinstance(interrupt, Stopped) else INTERRUPTED


def _raise_stopped(number: int, _frame: FrameType | None) -> None:
    # A second signal during the cleanup ends the process at once, as without a handler.
    signal.signal(number, signal.SIG_DFL)
    raise Stopped(number)


@contextlib.contextmanager
def stop_signals_raise() -> Iterator[None]:
    """While the block runs, SIGTERM and SIGHUP raise Stopped in it (main thread only; elsewhere a no-op)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {number: signal.signal(number, _raise_stopped) for number in STOP_SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            # None: a handler Python did not install; the default is the nearest it can put back.
            signal.signal(number, signal.SIG_DFL if handler is None else handler)


def ignore_in_worker(*, stop_signals: bool) -> None:
    """In a worker process: leave Ctrl-C (and with `stop_signals`, SIGTERM and SIGHUP) to the command's
    process, which finishes or cancels the work in hand and shuts the workers down. Lifts the hold that
    start_now put on these signals: one that came meanwhile is ignored or acted on only now."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for number in STOP_SIGNALS:
        signal.signal(number, signal.SIG_IGN if stop_signals else signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, *STOP_SIGNALS})


def start_now(pool: Executor) -> None:
    """Start a process pool's workers and its thread at once, with Ctrl-C, SIGTERM and SIGHUP held until
    they run (they arrive right after). Interrupted while it starts (which it does at its first task), a
    pool can neither work nor shut down ("cannot join thread before it is started"); and a worker
    interrupted before its initializer runs prints a traceback. Workers inherit the hold; ignore_in_worker
    lifts it."""
    held = {signal.SIGINT, *STOP_SIGNALS}
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        pool.submit(int)
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        pool.submit(int)  # a task that does nothing: what matters is that the pool starts
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
