"""nengo-tuning's start-up hook: ``import nengo_dl`` works in any import order.

On TensorFlow >= 2.13, nengo-dl 3.6.0 imports only after
``nengo_tuning.compat.prepare_nengo_dl`` has run, which ``import nengo_tuning``
arranges for a later ``import nengo_dl`` (``nengo_tuning/compat.py``). Scripts
whose imports are sorted (isort, ruff) import ``nengo_dl`` first, and some
processes never import ``nengo_tuning`` at all.

The start-up file ``nengo_tuning_startup.pth``, installed with this module at
the top level of site-packages (by ``setup.py``), imports this module whenever
Python starts. The module puts :class:`NengoDLStartupFinder` first on
``sys.meta_path`` and imports nothing (``os`` and ``sys`` are loaded at start-up
anyway). The finder compares each imported name with ``"nengo_dl"``; at the
first ``import nengo_dl``, if TensorFlow >= 2.13 is installed, it imports
``nengo_tuning`` and hands the import to the package's own NengoDL import hook,
which prepares NengoDL; then the normal finders import ``nengo_dl``. With
TensorFlow 2.12 it does nothing.

It is a module of its own, outside the package, because ``import nengo_tuning``
imports nengo and numpy, too slow for every Python process. An editable install
copies this file into site-packages too: edit it, then reinstall.

Opt-out
    ``NENGO_TUNING_NO_STARTUP_HOOK=1`` (any value but empty or ``0``) in a
    process's environment at start-up: the finder is not installed, and on
    TensorFlow >= 2.13 that process must import ``nengo_tuning`` before
    ``nengo_dl`` (or call ``nengo_tuning.compat.prepare_nengo_dl()``).

Fails safe
    No exception leaves this module's import or the finder: at start-up an
    error leaves the finder out; during ``import nengo_dl`` it becomes a
    warning, and ``nengo_dl`` is imported as if the hook were not there.
"""

import os
import sys

#: Environment variable that turns the hook off.
OPT_OUT_VARIABLE = "NENGO_TUNING_NO_STARTUP_HOOK"

# Distribution names under which TensorFlow may be installed, and the first
# version that needs preparing: the same as nengo_tuning.compat's (which this
# module cannot import without the package; tests/test_import_hook.py checks
# that both agree).
_TF_DISTRIBUTIONS = ("tensorflow", "tensorflow-cpu", "tensorflow-macos")
_FIRST_TF_NEEDING_PREPARATION = (2, 13)


class NengoDLStartupFinder:
    """Meta path finder that prepares NengoDL at the first ``import nengo_dl``.

    It finds nothing itself (returns None, so the normal finders import
    ``nengo_dl``). After its one use it stays on ``sys.meta_path``, inert:
    removing itself there would change the list that the import system is
    walking, and the next finder would be skipped for that import.
    """

    _used = False
    _busy = False  # recursion guard, for a nested ``import nengo_dl``

    @classmethod
    def find_spec(cls, fullname, path=None, target=None):
        """Prepare NengoDL if ``fullname`` is ``nengo_dl``, the first time; None."""
        if fullname != "nengo_dl" or cls._used or cls._busy:
            return None
        cls._busy = True
        try:
            return prepare_nengo_dl(fullname, path, target)
        except Exception as error:  # noqa: BLE001 (fails safe: a warning)
            _warn(error)
            return None
        finally:
            cls._used = True
            cls._busy = False


def prepare_nengo_dl(fullname, path, target):  # pylint: disable=unused-argument
    """Where TensorFlow needs it, let nengo_tuning prepare this import of NengoDL.

    Imports ``nengo_tuning`` and hands it the import
    (``nengo_tuning.compat.find_nengo_dl_spec``, what the package's own import
    hook runs); returns its result. If ``nengo_tuning`` was imported already,
    its hook is on ``sys.meta_path`` and in charge: nothing to do.
    """
    if "nengo_tuning" in sys.modules or not tensorflow_needs_preparation():
        return None
    import nengo_tuning  # pylint: disable=import-outside-toplevel

    return nengo_tuning.compat.find_nengo_dl_spec(path, target)


def tensorflow_needs_preparation():
    """Whether the installed TensorFlow is one nengo-dl imports on only prepared.

    Reads the installed distributions' metadata; imports no TensorFlow.
    """
    from importlib import metadata  # pylint: disable=import-outside-toplevel

    for distribution in _TF_DISTRIBUTIONS:
        try:
            version = metadata.version(distribution)
        except metadata.PackageNotFoundError:
            continue
        major, minor = version.split(".")[:2]
        minor = int("".join(c for c in minor if c.isdigit()) or 0)
        return (int(major), minor) >= _FIRST_TF_NEEDING_PREPARATION
    return False


def _warn(error):
    import warnings  # pylint: disable=import-outside-toplevel

    warnings.warn(
        "nengo-tuning's start-up hook could not prepare NengoDL for import "
        f"({type(error).__name__}: {error}); nengo_dl is imported without it. "
        f"{OPT_OUT_VARIABLE}=1 turns the hook off.",
        RuntimeWarning,
        stacklevel=2,
    )


def opted_out(environ=os.environ):
    """Whether ``environ`` turns the hook off (any value but empty or ``0``)."""
    return environ.get(OPT_OUT_VARIABLE, "") not in ("", "0")


def install():
    """Put the finder first on ``sys.meta_path``, unless opted out.

    Does nothing if it is there already or ``nengo_dl`` is imported.
    """
    if opted_out() or "nengo_dl" in sys.modules:
        return
    if NengoDLStartupFinder not in sys.meta_path:
        sys.meta_path.insert(0, NengoDLStartupFinder)


try:
    install()
except Exception:  # noqa: BLE001, S110 (never break start-up: no finder then)
    pass
