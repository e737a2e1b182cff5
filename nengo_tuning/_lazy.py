"""Submodules as attributes of their package, imported at first use (PEP 562)."""

import importlib
import pkgutil
import sys


def lazy_submodules(package_name):
    """``(__getattr__, __dir__)`` for the package ``package_name``.

    ``package.sub`` imports ``package.sub`` the first time it is read, for every
    public submodule (a name without a leading underscore), so that
    ``import nengo_tuning`` is enough to reach ``nengo_tuning.dl.callbacks`` and
    yet imports TensorFlow only when such a module is first touched.
    """
    package = sys.modules[package_name]
    names = frozenset(
        info.name
        for info in pkgutil.iter_modules(package.__path__)
        if not info.name.startswith("_")
    )

    def __getattr__(name):
        if name in names:
            return importlib.import_module(f"{package_name}.{name}")
        raise AttributeError(f"module {package_name!r} has no attribute {name!r}")

    def __dir__():
        return sorted(set(vars(package)) | names)

    return __getattr__, __dir__
