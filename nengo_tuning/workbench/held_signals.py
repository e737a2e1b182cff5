"""Interrupts during the few operations that must not be cut in two.

:func:`held_signals` defers SIGINT and SIGTERM while its block runs and delivers
them, to whatever handler was in place, once the block is over: the report
folder's swap (two renames) is done entirely or not at all. `Terminated` is the
exception the command turns SIGTERM into, as Python turns SIGINT into
`KeyboardInterrupt`; :func:`terminate_as_exception` installs that handler.
"""

import contextlib
import signal
import threading

__all__ = ["HELD_SIGNALS", "Terminated", "held_signals", "terminate_as_exception"]

#: The signals held off: Ctrl-C, and what ``timeout``, CI cancellation and
#: ``docker stop`` send.
HELD_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Terminated(BaseException):
    """SIGTERM arrived (a `BaseException`, as `KeyboardInterrupt` is)."""


def _in_main_thread():
    return threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def held_signals():
    """Defer SIGINT and SIGTERM until the block is over, then deliver them.

    Outside the main thread (where Python cannot install handlers) the block
    runs unprotected.
    """
    if not _in_main_thread():
        yield
        return
    pending = []

    def defer(signum, frame):
        pending.append(signum)

    previous = {signum: signal.signal(signum, defer) for signum in HELD_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        for signum in dict.fromkeys(pending):  # each signal once, in order
            signal.raise_signal(signum)


def _raise_terminated(signum, frame):
    raise Terminated()


@contextlib.contextmanager
def terminate_as_exception():
    """Within the block, SIGTERM raises `Terminated` (main thread only)."""
    if not _in_main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
