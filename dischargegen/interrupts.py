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
    signals_held put on these signals: one that came meanwhile is ignored or acted on only now."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for number in STOP_SIGNALS:
        signal.signal(number, signal.SIG_IGN if stop_signals else signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, *STOP_SIGNALS})


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold Ctrl-C, SIGTERM and SIGHUP while the block runs; they arrive right after it. For handing work to
    a process pool: its first task starts it, and a pool interrupted while it starts can neither work nor
    shut down ("cannot join thread before it is started"), while a worker interrupted before its
    initializer runs prints a traceback or loses the signal. Workers started in the block inherit the hold;
    ignore_in_worker lifts it."""
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, *STOP_SIGNALS})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
