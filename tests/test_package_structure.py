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


def test_import_graph_has_no_cycle():
    """Depth-first search of the graph of every import, lazy ones included."""
    graph = {module: package_imports(module) for module in MODULES}
    # the builders never import the front end (it names them by string)
    assert not graph["neuron_builders"] & {"neurons", "dl_registry", "__init__"}
    assert not graph["neurons"] & {"neuron_builders", "tf_math", "__init__"}
    # the math depends on nothing of ours but its optional compiled kernel,
    # which depends on nothing of ours at all
    assert graph["lif_math"] <= {"compiled_kernel"}
    assert graph["compiled_kernel"] == set()

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
    # the scan above sees the front end, the math and the backends
    expected = {"neurons", "lif_math", "dl_registry", "neuron_builders", "compat"}
    assert expected <= set(MODULES)


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
