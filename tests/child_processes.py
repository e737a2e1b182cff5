"""Running the command in a child process as a user's shell would."""

import os
import signal


def _sigint_as_a_terminal_sends_it():
    # A shell running a script in the background (``cmd &`` without job
    # control) starts it with SIGINT ignored, and children inherit that: a
    # child would then ignore the SIGINT a test sends it, as it rightly should.
    # A terminal's Ctrl-C reaches a process whose SIGINT is at its default.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


#: Keyword arguments for ``subprocess.run`` / ``Popen`` of a child that a test
#: interrupts with SIGINT.
INTERRUPTIBLE = (
    {"preexec_fn": _sigint_as_a_terminal_sends_it} if os.name == "posix" else {}
)
