"""The package's structure: one-way imports, no TensorFlow on import, private APIs.

These read the source (every import, also the lazy ones inside functions) rather
than importing it, so they hold on an installation without TensorFlow too.
"""

import ast
from pathlib import Path

import pytest

import nengo_tuning

PACKAGE_DIR = Path(nengo_tuning.__file__).parent


def module_key(path):
    """``"a.b"`` for ``nengo_tuning/a/b.py``; packages end in ``.__init__``."""
    return ".".join(path.relative_to(PACKAGE_DIR).with_suffix("").parts)


MODULES = sorted(module_key(p) for p in PACKAGE_DIR.rglob("*.py"))


def parse(module):
    path = PACKAGE_DIR.joinpath(*module.split(".")).with_suffix(".py")
    return ast.parse(path.read_text(), module)


def resolve(dotted):
    """The module key that importing ``dotted`` runs, or None if not ours."""
    parts = dotted.split(".")
    if parts[0] != "nengo_tuning":
        return None
    key = ".".join(parts[1:])
    for candidate in (key, f"{key}.__init__" if key else "__init__"):
        if candidate in MODULES:
            return candidate
    return None


def package_imports(module):
    """The nengo_tuning modules that ``module`` imports, anywhere in its code.

    Lazy imports inside functions count too, and ``from nengo_tuning import X``
    where ``X`` is not a module counts as importing the package's ``__init__``.
    """
    package = ["nengo_tuning"] + module.split(".")[:-1]
    found = set()
    for node in ast.walk(parse(module)):
        if isinstance(node, ast.Import):
            targets = [resolve(alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            source = ".".join(base + ([node.module] if node.module else []))
            targets = [
                resolve(f"{source}.{alias.name}") or resolve(source)
                for alias in node.names
            ]
        else:
            continue
        found.update(t for t in targets if t is not None)
    found.discard(module)
    return found


def layer(module):
    """The layer of a module key: its subpackage, or the module itself."""
    return module.split(".")[0]


#: What each layer may import (besides itself and ``_lazy``, the PEP 562 helper of
#: every package's ``__init__``). Imports go down: math <- kernels <- neurons <-
#: workbench; dl/ and keras/ use the layers below them, never the other way round.
ALLOWED_IMPORTS = {
    "version": set(),
    "compat": set(),
    "math": set(),
    "kernels": {"math"},
    "neurons": {"math", "kernels"},
    "dl": {"compat", "math", "kernels", "neurons"},
    "keras": {"compat", "math", "kernels", "neurons", "dl"},
    "spike_audit": {"math", "kernels", "neurons"},
    "workbench": {"compat", "math", "kernels", "neurons", "version", "spike_audit"},
    "__init__": {
        "compat",
        "math",
        "kernels",
        "neurons",
        "version",
        "dl.registry",
        "spike_audit",
    },
    "__main__": {"workbench"},
    "_lazy": set(),
}


def allowed(module, imported):
    rules = ALLOWED_IMPORTS[layer(module)] | {"_lazy"}
    return (
        layer(imported) == layer(module)
        or layer(imported) in rules
        or imported in rules
        or imported.removesuffix(".__init__") in rules
    )


@pytest.mark.parametrize("module", MODULES)
def test_imports_go_down_the_layers(module):
    """Every import, lazy ones included, goes to a layer below (or the same)."""
    wrong = sorted(m for m in package_imports(module) if not allowed(module, m))
    assert not wrong, f"{module} must not import {wrong}"


def test_import_graph_has_no_cycle():
    """Depth-first search of the graph of every import, lazy ones included."""
    graph = {module: package_imports(module) for module in MODULES}
    # the types know nothing of NengoDL; the builders know the types, and the
    # registry only imports the builders
    front_ends = [module for module in MODULES if layer(module) == "neurons"]
    assert len(front_ends) > 1  # the neurons package, one module per family
    for module in front_ends:
        assert not {m for m in graph[module] if layer(m) in ("dl", "keras")}
    assert not graph["dl.builders"] & {"dl.registry", "__init__"}
    assert graph["dl.registry"] <= {"dl.builders"}
    # the compiled kernels depend only on the array checks, the shared compiled
    # machinery, and the names and limits of their family's xp step and math
    compiled_base = {"kernels.arrays", "kernels.compiled"}
    assert graph["kernels.compiled"] <= {"kernels.arrays"}
    assert graph["kernels.lif_compiled"] <= compiled_base | {"kernels.lif_xp"}
    assert graph["kernels.adaptive_lif_compiled"] <= compiled_base | {
        "kernels.adaptive_lif_xp",
        "math.adaptive_lif",
    }

    done, path = set(), []

    def visit(module):
        if module in path:
            cycle = path[path.index(module) :] + [module]
            pytest.fail("import cycle: " + " -> ".join(cycle))
        if module in done:
            return
        path.append(module)
        for imported in sorted(graph[module]):
            visit(imported)
        path.pop()
        done.add(module)

    for module in MODULES:
        visit(module)


def test_package_modules_listed():
    # the scan above sees the layers: math, kernels, front end, backends
    expected = {
        "math.lif",
        "math.softlif",
        "kernels.lif",
        "kernels.lif_xp",
        "kernels.lif_compiled",
        "kernels.compiled",
        "kernels.adaptive_lif",
        "kernels.adaptive_lif_xp",
        "kernels.adaptive_lif_numpy",
        "kernels.adaptive_lif_compiled",
        "neurons.__init__",
        "neurons.params",
        "neurons.lif",
        "neurons.adaptive_lif",
        "dl.registry",
        "dl.builders",
        "dl.tf_namespace",
        "keras.activation",
        "keras.converter",
        "compat",
    }
    assert expected <= set(MODULES)


HEAVY = ("tensorflow", "nengo_dl", "keras", "tf_keras")


def external_imports(module, top_level_only):
    """The top-level names of the outside packages that ``module`` imports."""
    tree = parse(module)
    nodes = tree.body if top_level_only else ast.walk(tree)
    found = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("module", MODULES)
def test_tensorflow_only_under_dl_and_keras(module):
    """TensorFlow, NengoDL and Keras are imported under dl/ and keras/ only.

    compat.py, which wraps their private APIs, imports them only inside its
    functions, which run when NengoDL is imported or used.
    """
    if layer(module) in ("dl", "keras"):
        return
    heavy = external_imports(module, top_level_only=module == "compat")
    assert not heavy & set(HEAVY), (module, sorted(heavy & set(HEAVY)))


PRIVATE_API_MARKERS = ["TF_NEURON_IMPL", "smart_cond", "tensorflow.python"]


@pytest.mark.parametrize("module", MODULES)
def test_nengo_dl_private_api_only_in_compat(module):
    """NengoDL's private API (and TensorFlow's) is used in compat.py alone."""
    if module == "compat":
        return
    tree = parse(module)
    code_names = {
        node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)
    } | {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    imported = {
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
    }
    for marker in PRIVATE_API_MARKERS:
        assert marker not in code_names, (module, marker)
        assert not any(m.startswith(marker) for m in imported), (module, marker)
    # NengoDL's training switch is set only through compat.run_step_in_training
    assigned = [
        target.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Attribute)
    ]
    assert "spiking" not in assigned, module


def test_import_does_not_import_tensorflow(run_python):
    out = run_python("""
        import sys
        import nengo_tuning
        nengo_tuning.ExactLIF(); nengo_tuning.SoftLIF(); nengo_tuning.SoftLIFRate()
        print(sorted(m for m in ("tensorflow", "nengo_dl") if m in sys.modules))
        """)
    assert out.strip() == "[]"


def touches_tensorflow(name):
    """Whether importing the module ``nengo_tuning.<name>`` imports TensorFlow."""
    return layer(name) in ("dl", "keras") and name not in ("dl", "keras", "dl.registry")


def public_name(module):
    """``"a.b"`` for the key of a public module; None for a private one."""
    name = module.removesuffix(".__init__")
    if name == "__init__" or any(part.startswith("_") for part in name.split(".")):
        return None
    return name


#: The modules that ``import nengo_tuning`` makes reachable as attributes (PEP
#: 562), without TensorFlow: every public one but the workbench's submodules
#: (``nengo_tuning.workbench`` itself is one).
LIGHT_MODULES = sorted(
    name
    for name in map(public_name, MODULES)
    if name
    and not touches_tensorflow(name)
    and (layer(name) != "workbench" or name == "workbench")
)


def test_public_submodules_are_attributes_without_tensorflow(run_python):
    assert {"math.lif", "kernels.lif", "neurons", "workbench", "dl"} <= set(
        LIGHT_MODULES
    )
    out = run_python(f"""
        import functools, sys
        import nengo_tuning
        for name in {LIGHT_MODULES!r}:
            module = functools.reduce(getattr, name.split("."), nengo_tuning)
            assert module is sys.modules["nengo_tuning." + name], name
        print(sorted(m for m in ("tensorflow", "nengo_dl") if m in sys.modules))
        """)
    assert out.strip() == "[]"


def test_tensorflow_modules_load_at_first_touch(run_python):
    pytest.importorskip("tensorflow", reason="needs the dl extra (TensorFlow)")
    pytest.importorskip("nengo_dl", reason="needs the dl extra (NengoDL)")
    out = run_python("""
        import sys
        import nengo_tuning
        before = "tensorflow" in sys.modules
        callback = nengo_tuning.dl.callbacks.CheckFiniteParameters
        after = "tensorflow" in sys.modules
        nengo_tuning.keras.converter.Converter, nengo_tuning.dl.builders.BUILDERS
        print(before, after, callback.__module__)
        """)
    assert out.split() == ["False", "True", "nengo_tuning.dl.callbacks"]


def test_unknown_attributes_still_raise():
    with pytest.raises(AttributeError, match="no_such_module"):
        nengo_tuning.no_such_module  # noqa: B018  pylint: disable=pointless-statement
    assert not hasattr(nengo_tuning.dl, "no_such_module")
    assert {"dl", "keras", "math", "kernels", "neurons", "workbench"} <= set(
        dir(nengo_tuning)
    )


def test_public_api_listed_once_and_documented():
    """``__all__`` is the public API; each name is an attribute and on the API page."""
    api_page = (PACKAGE_DIR.parent / "docs" / "api.rst").read_text()
    for name in nengo_tuning.__all__:
        obj = getattr(nengo_tuning, name)
        where = getattr(obj, "__module__", None)  # None: a constant
        if name != "__version__":
            assert f"{where}.{name}" in api_page if where else name in api_page, name
