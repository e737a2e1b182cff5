"""Running the command in a child process as a user's shell would."""

import os
import signal
import subprocess
import sys
from pathlib import Path

#: The repository's root, put on the child's PYTHONPATH.
REPO = Path(__file__).resolve().parent.parent


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


def run_python_m(arguments, cwd):
    """``python -m nengo_tuning ARGUMENTS`` in ``cwd`` (which ``-m`` puts first on
    ``sys.path``, as a user's shell would), with this checkout importable."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(REPO), *filter(None, [env.get("PYTHONPATH")])]
    )
    return subprocess.run(
        [sys.executable, "-m", "nengo_tuning", *[str(a) for a in arguments]],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
    )
