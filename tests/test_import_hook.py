"""The start-up hook: ``import nengo_dl`` works in any order where nengo-tuning is.

nengo-tuning installs ``nengo_tuning_startup.pth`` and ``_nengo_tuning_startup.py``
at the top level of site-packages (``setup.py``, ``startup/``). Each test runs a
fresh interpreter, since the hook acts at start-up and a process can import
nengo-dl only once. The tests of what an import does need the hook installed
from this source tree (CI: ``pip install -e``); where nengo_tuning is imported
from a tree that is not the installed one, they are skipped with that reason.
"""

import importlib.metadata
import importlib.util
import json
import os
import shutil
import site
import subprocess
import sys
import tarfile
import tempfile
import textwrap
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

import pytest

import nengo_tuning
from nengo_tuning import compat

# the source tree these tests belong to (nengo_tuning may be an installed copy)
TREE = Path(__file__).resolve().parent.parent
STARTUP_DIR = TREE / "startup"
PTH_FILE = "nengo_tuning_startup.pth"
MODULE_FILE = "_nengo_tuning_startup.py"
STARTUP_FILES = (PTH_FILE, MODULE_FILE)
OPT_OUT = "NENGO_TUNING_NO_STARTUP_HOOK"
NEEDS_PREPARING = compat.nengo_dl_needs_preparing()

# (find_spec imports nothing of nengo_dl, which the children import)
needs_nengo_dl = pytest.mark.skipif(
    importlib.util.find_spec("nengo_dl") is None, reason="needs the dl extra (NengoDL)"
)


def installed_distribution():
    """The installed (by pip: it has a RECORD) nengo-tuning distribution, or None.

    A build in the source tree leaves a ``nengo_tuning.egg-info`` that
    importlib.metadata would also find when the tree is on ``sys.path``.
    """
    for dist in importlib.metadata.distributions(name="nengo-tuning"):
        if dist.read_text("RECORD") is not None:
            return dist
    return None


def why_not_installed_here():
    """None if nengo_tuning is imported from the installed nengo-tuning; else why."""
    dist = installed_distribution()
    if dist is None:
        return "nengo-tuning is not installed: nengo_tuning comes from sys.path"
    imported = Path(nengo_tuning.__file__).resolve()
    direct_url = json.loads(dist.read_text("direct_url.json") or "{}")
    if direct_url.get("dir_info", {}).get("editable"):
        url_path = urllib.parse.urlparse(direct_url["url"]).path
        source = Path(urllib.request.url2pathname(url_path)).resolve()
        if imported.is_relative_to(source):
            return None
        where = f"an editable install of {source}"
    else:
        installed = Path(dist.locate_file("nengo_tuning/__init__.py")).resolve()
        if imported == installed:
            return None
        where = f"installed in {installed.parent.parent}"
    return (
        f"nengo_tuning is imported from {imported.parent}, but the installed "
        f"nengo-tuning is {where}: the start-up hook belongs to an installation"
    )


NOT_INSTALLED_HERE = why_not_installed_here()
needs_installed_hook = pytest.mark.skipif(
    NOT_INSTALLED_HERE is not None, reason=str(NOT_INSTALLED_HERE)
)


def child_env(**variables):
    """The test's environment without the settings the hook decides on, plus these.

    ``import nengo_dl`` in the test process may have set TF_USE_LEGACY_KERAS;
    a child must show that its own hook sets it.
    """
    env = {
        k: v for k, v in os.environ.items() if k not in ("TF_USE_LEGACY_KERAS", OPT_OUT)
    }
    env.update(variables)
    return env


def python(code, *args, env=None):
    """Run ``code`` in a fresh interpreter (site and .pth files as usual).

    It runs in the temporary folder, as a user's script would elsewhere: in the
    source tree, ``-c`` would import this tree's nengo_tuning, not the installed.
    """
    return subprocess.run(
        [sys.executable, *args, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=child_env() if env is None else env,
        cwd=tempfile.gettempdir(),
    )


def assert_ok(result):
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


# --- what is installed --------------------------------------------------------


@needs_installed_hook
def test_startup_files_installed_in_site_packages():
    """Both files are in the distribution's RECORD, where site reads .pth files.

    Their contents are this tree's (an editable install copies them: a stale
    copy means the environment needs ``pip install -e .`` again).
    """
    dist = installed_distribution()
    recorded = {str(path): path for path in dist.files}
    site_dirs = {Path(p).resolve() for p in site.getsitepackages()}
    if site.ENABLE_USER_SITE:
        site_dirs.add(Path(site.getusersitepackages()).resolve())
    for name in STARTUP_FILES:
        assert name in recorded, (
            f"{name} is not in the installed nengo-tuning's RECORD (installed before"
            " the start-up hook existed?): run pip install -e . again"
        )
        installed = Path(dist.locate_file(recorded[name])).resolve()
        assert installed.parent in site_dirs
        assert (
            installed.read_bytes() == (STARTUP_DIR / name).read_bytes()
        ), f"{installed} differs from {STARTUP_DIR / name}: reinstall"


def import_tree(result):
    """(depth, module) of each line of ``-X importtime``, in the order printed.

    A module's own imports are printed just before it, one level deeper.
    """
    entries = []
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.split("|")[2]
            if name.strip() != "imported package":  # the header
                entries.append((len(name) - len(name.lstrip()), name.strip()))
    return entries


@needs_installed_hook
def test_startup_imports_nothing_but_the_hook_module():
    """At start-up the hook imports its own module and nothing else.

    The exact form of "costs nothing at start-up" (the time is measured in
    docs/compatibility.rst): the module's import has no imports under it, and
    installing the finder (versus the opt-out, which imports the module but
    installs nothing) imports nothing either.
    """
    code = """
        import json, sys
        finders = [getattr(f, "__name__", type(f).__name__) for f in sys.meta_path]
        print(json.dumps([sorted(sys.modules), finders]))
        """
    on = python(code, "-X", "importtime")
    modules_on, finders_on = json.loads(assert_ok(on))
    modules_off, finders_off = json.loads(
        assert_ok(python(code, env=child_env(**{OPT_OUT: "1"})))
    )
    assert "NengoDLStartupFinder" in finders_on
    assert "NengoDLStartupFinder" not in finders_off
    assert modules_on == modules_off

    tree = import_tree(on)
    (at,) = [i for i, (_, name) in enumerate(tree) if name == "_nengo_tuning_startup"]
    depth = tree[at][0]
    assert at == 0 or tree[at - 1][0] <= depth, f"imported under it: {tree[at - 1]}"


# --- import orders, in fresh processes ----------------------------------------

MODEL = """
import warnings

import numpy as np

with nengo.Network(seed=0) as net:
    stim = nengo.Node(lambda t: np.sin(8 * t))
    ens = nengo.Ensemble(20, 1, neuron_type=nengo_tuning.ExactLIF())
    nengo.Connection(stim, ens)
    probe = nengo.Probe(ens.neurons)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    with nengo_dl.Simulator(net, progress_bar=False) as sim:
        sim.run_steps(100)
assert not [w for w in caught if "native TensorFlow" in str(w.message)]
with nengo.Simulator(net, progress_bar=False) as ref:
    ref.run_steps(100)
# float32 NengoDL vs float64 Nengo: the same spikes, rates to float32 precision
assert np.allclose(sim.data[probe], ref.data[probe], rtol=1e-5, atol=1e-3)
assert sim.data[probe].any()
print("ran")
"""


ISORT_ORDER = "import nengo\nimport nengo_dl\nimport nengo_tuning\n"


@needs_nengo_dl
@needs_installed_hook
def test_exactlif_model_runs_in_nengo_dl_with_isort_ordered_imports():
    """ExactLIF builds natively in nengo_dl.Simulator and runs as in nengo."""
    assert assert_ok(python(ISORT_ORDER + MODEL)) == "ran\n"


@needs_nengo_dl
@needs_installed_hook
def test_bare_import_nengo_dl():
    """``python -c "import nengo_dl"``; prepared only where TensorFlow needs it."""
    out = assert_ok(python("""
            import os, sys
            import nengo_dl
            print("nengo_tuning" in sys.modules, os.environ.get("TF_USE_LEGACY_KERAS"))
            print(*[getattr(f, "__name__", "-") for f in sys.meta_path])
            """))
    imported, legacy_keras = out.splitlines()[0].split()
    if NEEDS_PREPARING:
        tf_version = compat._tensorflow_version()  # pylint: disable=protected-access
        assert imported == "True"
        assert legacy_keras == ("1" if tf_version >= (2, 16) else "None")
        # the package's own hook got the import, and removed itself
        assert "_NengoDLImportHook" not in out.splitlines()[1].split()
    else:  # TensorFlow 2.12: the hook does nothing
        assert (imported, legacy_keras) == ("False", "None")


@needs_nengo_dl
@needs_installed_hook
def test_import_nengo_dl_then_nengo_tuning_registers_builders():
    out = assert_ok(python("""
            import nengo_dl
            import nengo_tuning
            from nengo_dl.neuron_builders import SimNeuronsBuilder

            nengo_tuning.ExactLIF()
            print(SimNeuronsBuilder.TF_NEURON_IMPL[nengo_tuning.ExactLIF].__name__)
            """))
    assert out.strip() == "ExactLIFBuilder"


@needs_nengo_dl
@needs_installed_hook
def test_opt_out():
    """Opted out, the old rule holds: on TensorFlow >= 2.13 nengo_tuning first."""
    opted_out = child_env(**{OPT_OUT: "1"})
    result = python("import nengo_dl", env=opted_out)
    if NEEDS_PREPARING:
        assert result.returncode != 0
        assert result.stderr.strip().splitlines()[-1] == (
            "ModuleNotFoundError: No module named 'keras.engine'"
        )
    else:  # TensorFlow 2.12: nengo-dl needs no hook
        assert_ok(result)
    old_order = "import nengo_tuning\nimport nengo_dl\nprint('imported')"
    assert assert_ok(python(old_order, env=opted_out)) == "imported\n"


# --- the module's own behaviour (this tree's copy, loaded by path) -------------


@pytest.fixture
def startup(monkeypatch):
    """This tree's start-up module, loaded under another name, not installed."""
    monkeypatch.setenv(OPT_OUT, "1")  # its import must not add a finder here
    spec = importlib.util.spec_from_file_location(
        "startup_under_test", STARTUP_DIR / MODULE_FILE
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.NengoDLStartupFinder not in sys.meta_path
    return module


@pytest.mark.parametrize(
    "value, off", [(None, False), ("", False), ("0", False), ("1", True), ("yes", True)]
)
def test_opt_out_values(startup, value, off):
    environ = {} if value is None else {OPT_OUT: value}
    assert startup.opted_out(environ) is off


def test_startup_agrees_with_compat_on_which_tensorflow_needs_preparing(startup):
    # pylint: disable=protected-access
    assert startup._TF_DISTRIBUTIONS == compat._TF_DISTRIBUTIONS
    assert startup.tensorflow_needs_preparation() == compat.nengo_dl_needs_preparing()


def test_pth_file_imports_only_the_module():
    lines = (STARTUP_DIR / PTH_FILE).read_text().splitlines()
    code = [line for line in lines if line.strip() and not line.startswith("#")]
    assert code == ["import _nengo_tuning_startup"]


LOAD_FROM_TREE = """
import importlib.util, os, sys
spec = importlib.util.spec_from_file_location("startup_under_test", {path!r})
startup = importlib.util.module_from_spec(spec)
"""


def test_error_at_startup_leaves_the_interpreter_working():
    """An exception inside ``install`` (here: an unusable meta path) is swallowed."""
    out = assert_ok(
        python(
            LOAD_FROM_TREE.format(path=str(STARTUP_DIR / MODULE_FILE)) + """
meta_path = sys.meta_path
sys.meta_path = tuple(meta_path)  # insert() fails
spec.loader.exec_module(startup)
sys.meta_path = meta_path
import json
print(startup.NengoDLStartupFinder in sys.meta_path)
""",
            env=child_env(**{OPT_OUT: "1"}),  # the installed copy stays out
        )
    )
    assert out == "False\n"


@needs_nengo_dl
def test_error_in_the_hook_becomes_a_warning():
    """A failing preparation warns; nengo_dl's import goes on as without the hook."""
    result = python(
        LOAD_FROM_TREE.format(path=str(STARTUP_DIR / MODULE_FILE)) + """
spec.loader.exec_module(startup)
del os.environ["NENGO_TUNING_NO_STARTUP_HOOK"]
startup.install()

def prepare_nengo_dl(fullname, path, target):
    raise ZeroDivisionError("boom")

startup.prepare_nengo_dl = prepare_nengo_dl
import json  # an unrelated import is untouched
import nengo_dl
print("imported")
""",
        env=child_env(**{OPT_OUT: "1"}),  # the installed copy stays out
    )
    assert "RuntimeWarning" in result.stderr
    assert "could not prepare NengoDL for import (ZeroDivisionError: boom)" in (
        result.stderr
    )
    if NEEDS_PREPARING:  # unprepared, nengo-dl fails as it does on its own
        assert result.stderr.strip().splitlines()[-1] == (
            "ModuleNotFoundError: No module named 'keras.engine'"
        )
    else:
        assert assert_ok(result) == "imported\n"


# --- what the builds contain --------------------------------------------------

# what setup.cfg, setup.py and the package need to build (copied: a build writes
# build/ and *.egg-info next to setup.py, and tests do not write into the tree)
BUILD_INPUTS = (
    "setup.py",
    "setup.cfg",
    "pyproject.toml",
    "README.md",
    "LICENSE",
    "startup",
    "nengo_tuning",
)


# a PEP 517 hook, run as a frontend would (argv[1]: the output folder)
BUILD_HOOK = "import sys, setuptools.build_meta as b; print(b.{hook}(sys.argv[1]))"


def build(hook, source_dir, out_dir):
    """Run setuptools' PEP 517 ``hook`` in ``source_dir``; the file it made."""
    out = assert_ok(
        subprocess.run(
            [
                sys.executable,
                "-c",
                BUILD_HOOK.format(hook=hook),
                str(out_dir),
            ],
            cwd=source_dir,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    )
    return out_dir / out.splitlines()[-1]


def wheel_top_level(wheel):
    """Top-level file names of a wheel, and those its RECORD lists."""
    with zipfile.ZipFile(wheel) as archive:
        names = {n for n in archive.namelist() if "/" not in n}
        record = next(n for n in archive.namelist() if n.endswith(".dist-info/RECORD"))
        recorded = {
            line.split(",")[0] for line in archive.read(record).decode().splitlines()
        }
        contents = {n: archive.read(n) for n in names & set(STARTUP_FILES)}
    return names, recorded, contents


def test_sdist_wheel_and_editable_wheel_ship_the_startup_files(tmp_path):
    """sdist -> wheel and editable wheel: both files at the top, in RECORD."""
    pytest.importorskip("setuptools.command.editable_wheel", reason="setuptools>=64")
    source = tmp_path / "source"
    source.mkdir()
    for name in BUILD_INPUTS:
        path = TREE / name
        if path.is_dir():
            shutil.copytree(
                path, source / name, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            (source / name).write_bytes(path.read_bytes())
    sdist = build("build_sdist", source, tmp_path)
    with tarfile.open(sdist) as archive:
        # (the "data" filter: Python >= 3.10.12, 3.11.4; the default from 3.14)
        safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
        archive.extractall(tmp_path / "unpacked", **safe)
    unpacked = next((tmp_path / "unpacked").iterdir())
    for name in STARTUP_FILES:
        assert (unpacked / "startup" / name).is_file()

    for hook in ("build_wheel", "build_editable"):
        names, recorded, contents = wheel_top_level(build(hook, unpacked, tmp_path))
        for name in STARTUP_FILES:
            assert name in names and name in recorded, (hook, sorted(names))
            assert contents[name] == (STARTUP_DIR / name).read_bytes()
