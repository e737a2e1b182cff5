"""Running the user's model file and finding its network (``nengo-tuning audit``).

The file is executed as nengo_gui executes a model: its code runs, with its own
folder first on ``sys.path`` (so it can import its neighbours) and ``__file__``
set; ``__name__`` is not ``"__main__"``, so an ``if __name__ == "__main__":``
block (often a long simulation) does not run. The network is the module-level
variable ``model`` (nengo_gui's convention) or the one named by ``--network``.

A missing or unreadable file, a syntax error, or no such network is the user's
mistake on the command line: a `.UsageError` (one line, exit status 2). An
exception raised while the code runs is the code's own: `UserCodeError` carries
it, and the command shows its traceback and says where it came from.
"""

import os
import sys
from pathlib import Path

from nengo_tuning.workbench.options import UsageError

__all__ = ["DEFAULT_NETWORK", "RUN_NAME", "UserCodeError", "load_network"]

#: The variable holding the network unless ``--network`` names another.
DEFAULT_NETWORK = "model"
#: ``__name__`` while the file runs (not ``"__main__"``).
RUN_NAME = "__nengo_tuning_audit__"


class UserCodeError(Exception):
    """The user's file raised an exception while it ran (``__cause__``)."""

    def __init__(self, path, error):
        super().__init__(f"{path} raised {type(error).__name__}: {error}")
        self.path = path
        self.error = error


def _shown(path):
    """``path`` for a one-line message (a very long one shortened)."""
    text = str(path)
    return text if len(text) <= 120 else f"{text[:60]}...{text[-30:]}"


def _source(path):
    path = Path(path)
    try:
        if not path.exists():
            raise UsageError(f"argument FILE: {_shown(path)} does not exist")
        if not path.is_file():
            raise UsageError(f"argument FILE: {_shown(path)} is not a file")
        return path.read_bytes()
    except OSError as error:  # a name too long, no permission, ...
        raise UsageError(
            f"argument FILE: cannot read {_shown(path)}: {error.strerror or error}"
        ) from None


def _compiled(source, path):
    try:
        return compile(source, str(path), "exec", dont_inherit=True)
    except SyntaxError as error:
        where = f"{path}:{error.lineno}" if error.lineno else str(path)
        raise UsageError(f"argument FILE: {where}: {error.msg}") from None
    except ValueError as error:  # e.g. null bytes in the source
        raise UsageError(f"argument FILE: {path}: {error}") from None


def run_model_file(path):
    """Execute the file; return its module-level namespace.

    Raises
    ------
    UsageError
        The file is missing, unreadable or not valid Python.
    UserCodeError
        Its code raised (``SystemExit`` included: the file called ``sys.exit``).
    """
    path = Path(os.path.abspath(path))
    code = _compiled(_source(path), path)
    namespace = {
        "__name__": RUN_NAME,
        "__file__": str(path),
        "__builtins__": __builtins__,
    }
    folder = str(path.parent)
    sys.path.insert(0, folder)
    try:
        exec(code, namespace)  # noqa: S102 (running the user's model is the point)
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # whatever their code raises is theirs
        raise UserCodeError(path, error) from error
    finally:
        if folder in sys.path:
            sys.path.remove(folder)
    return namespace


def _networks_in(namespace):
    import nengo

    return sorted(
        name
        for name, value in namespace.items()
        if isinstance(value, nengo.Network) and not name.startswith("_")
    )


def load_network(path, name=None):
    """Run the file and return ``(network, name)``.

    Parameters
    ----------
    path : str or Path
        The model file.
    name : str, optional
        The variable holding the network (default `DEFAULT_NETWORK`).
    """
    import nengo

    namespace = run_model_file(path)
    wanted = DEFAULT_NETWORK if name is None else name
    found = _networks_in(namespace)
    listed = ", ".join(found)
    flag = "argument --network" if name is not None else "argument FILE"
    if wanted not in namespace:
        if not found:
            raise UsageError(f"argument FILE: {path} defines no nengo.Network")
        raise UsageError(
            f"{flag}: {path} defines no variable {wanted!r} (its networks: {listed}; "
            "name one with --network)"
        )
    network = namespace[wanted]
    if not isinstance(network, nengo.Network):
        raise UsageError(
            f"{flag}: {wanted!r} in {path} is of type "
            f"{type(network).__name__}, not a nengo.Network"
            + (f" (its networks: {listed})" if found else "")
        )
    return network, wanted
