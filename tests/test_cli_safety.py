"""The command's promises under a hostile tester: what it may replace, what it
imports, and one line (naming the option) for every mistake."""

import dataclasses
import json
import os
import sys
import textwrap
import warnings
from pathlib import Path

import pytest
from child_processes import run_python_m

from nengo_tuning.workbench.command import main

MODEL = """
import nengo

with nengo.Network(seed=1) as model:
    nengo.Ensemble(10, 1, n_eval_points=30, label="a")
"""


@pytest.fixture
def model_file(tmp_path):
    path = tmp_path / "model.py"
    path.write_text(textwrap.dedent(MODEL))
    return path


def _refused(capsys, arguments, flag, output=None):
    """Run the command; assert exit status 2, one line naming ``flag``; return it."""
    with pytest.raises(SystemExit) as exit_info:
        main([*map(str, arguments), "-q", "--no-progress"])
    assert exit_info.value.code == 2
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert "Traceback" not in captured.err
    assert flag in lines[0], lines[0]
    if output is not None:
        assert not Path(output).exists()
    return lines[0]


def _audit(tmp_path, model_file, *arguments):
    output = tmp_path / "report"
    return ["audit", model_file, "--dt", "0.001", "-o", output, *arguments], output


# --- 1, 2, 9: --json replaces only an earlier audit, as the command wrote it -----


@pytest.mark.parametrize(
    "text",
    [
        "[]\n",
        '{"dt": "mine", "ensembles": "my notes"}\n',
        '{"dt": 0.001, "ensembles": []}\n',
        '[{"dt": 0.001, "ensembles": [{"name": "a"}]}]\n',
    ],
    ids=["empty-list", "same-keys", "no-ensembles", "other-fields"],
)
def test_json_refuses_files_that_only_look_like_an_audit(
    tmp_path, capsys, model_file, text
):
    mine = tmp_path / "mine.json"
    mine.write_bytes(text.encode())
    arguments, output = _audit(tmp_path, model_file, "--json", mine)
    line = _refused(capsys, arguments, "--json", output)
    assert "not an earlier audit" in line
    assert mine.read_bytes() == text.encode()


def test_json_replaces_an_earlier_audit_but_not_an_edited_one(
    tmp_path, capsys, model_file
):
    out = tmp_path / "audit.json"
    arguments, _ = _audit(tmp_path, model_file, "--json", out)
    assert main([*map(str, arguments), "-q", "--no-progress"]) == 0
    assert main([*map(str, arguments), "-q", "--no-progress"]) == 0  # replaced
    value = json.loads(out.read_text())
    value["ensembles"][0]["recommendation"] = "my own note"
    edited = json.dumps(value, indent=2).encode()  # the same structure, edited
    out.write_bytes(edited)
    _refused(capsys, arguments, "--json")
    assert out.read_bytes() == edited


@pytest.mark.parametrize("dangling", [False, True], ids=["to-an-audit", "dangling"])
def test_json_refuses_a_symbolic_link(tmp_path, capsys, model_file, dangling):
    real = tmp_path / "real_audit.json"
    arguments, _ = _audit(tmp_path, model_file, "--json", real)
    if not dangling:
        assert main([*map(str, arguments), "-q", "--no-progress"]) == 0
    before = None if dangling else real.read_bytes()
    link = tmp_path / "link.json"
    link.symlink_to("real_audit.json")
    arguments[-1] = link
    line = _refused(capsys, arguments, "--json")
    assert "symbolic link" in line and "name the file itself" in line
    assert link.is_symlink() and os.readlink(link) == "real_audit.json"
    if dangling:
        assert not real.exists()
    else:
        assert real.read_bytes() == before


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
def test_json_that_cannot_be_written_is_refused_before_the_audit(
    tmp_path, capsys, model_file
):
    arguments, output = _audit(tmp_path, model_file, "--json", "/proc/nt-test.json")
    line = _refused(capsys, arguments, "--json", output)
    assert "cannot write" in line
    assert not list(tmp_path.glob(".nt-*"))


def test_json_inside_the_report_folder_is_refused(tmp_path, capsys, model_file):
    arguments, output = _audit(tmp_path, model_file)
    output.mkdir()  # an empty folder: a report may be written there
    arguments += ["--json", output / "audit.json"]
    _refused(capsys, arguments, "--json")
    assert list(output.iterdir()) == []


# --- 3: a package name never imports a file of that name in the current folder ---

SHADOW = """
from pathlib import Path
Path(__file__).with_name("imported").write_text("the shadow ran")
"""


def test_python_m_does_not_import_a_package_from_the_current_folder(tmp_path):
    (tmp_path / "nengo_ocl.py").write_text(textwrap.dedent(SHADOW))
    arguments = ["tuning", "--n-neurons", "3", "--neuron-type", "nengo_ocl.Foo"]
    result = run_python_m([*arguments, "-o", "r"], tmp_path)
    assert result.returncode == 2, result.stderr
    assert not (tmp_path / "imported").exists()
    (line,) = result.stderr.splitlines()
    assert "--neuron-type" in line and "current folder" in line
    assert not (tmp_path / "r").exists()


def test_a_bare_name_skips_a_package_in_the_current_folder(tmp_path, monkeypatch):
    from nengo_tuning.workbench.neuron_specs import _installed

    (tmp_path / "nengo_loihi").mkdir()
    (tmp_path / "nengo_loihi" / "__init__.py").write_text(SHADOW)
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    assert "nengo_loihi" not in sys.modules
    assert _installed("nengo_loihi", None) is False
    with pytest.raises(ValueError, match="current folder"):
        _installed("nengo_loihi", "nengo_loihi.LIF")
    assert _installed("nengo", "nengo.LIF") is True
    assert not (tmp_path / "nengo_loihi" / "imported").exists()
    assert "nengo_loihi" not in sys.modules


# --- 4: the largest documented seed ----------------------------------------------


@pytest.mark.parametrize(
    "arguments",
    [
        ["tuning", "--n-neurons", "3"],
        ["decode", "--n-neurons", "5", "--function", "x", "--trials", "2"],
        ["spike-decoding", "--neuron-type", "nengo.LIF", "--n-neurons", "5"]
        + ["--dt", "0.001", "--sim-time", "0.05"],
    ],
    ids=["tuning", "decode", "spike-decoding"],
)
def test_the_largest_seed_runs(tmp_path, arguments):
    seed = str(2**32 - 1)
    output = tmp_path / "r"
    arguments = [*arguments, "--seed", seed, "-q", "--no-progress", "-o", str(output)]
    assert main(arguments) == 0
    assert f"seed {seed}" in (output / "summary.md").read_text()


def test_offset_seeds_are_nengos_below_the_largest():
    from nengo_tuning.workbench.simulation import offset_seed

    assert offset_seed(7, 1) == 8 and offset_seed(2**32 - 1, 1) == 0
    assert offset_seed(2**32 - 2, 3) == 1


# --- 5: a network without ensembles ----------------------------------------------


def test_audit_of_a_network_without_ensembles_is_one_line(tmp_path, capsys):
    path = tmp_path / "empty.py"
    path.write_text("import nengo\nmodel = nengo.Network()\n")
    arguments = ["audit", path, "--dt", "0.001", "-o", tmp_path / "report"]
    line = _refused(capsys, arguments, "argument FILE", tmp_path / "report")
    assert "no ensembles" in line


# --- 6: a run shorter than one time step -----------------------------------------


@pytest.mark.parametrize(
    ("study", "dt", "sim_time"),
    [
        ("spike-decoding", "0.1", "0.05"),
        ("spike-decoding", "0.02", "0.01"),
        ("spikes", "0.1", "0.05"),
    ],
)
def test_a_sim_time_shorter_than_a_dt_is_refused(tmp_path, capsys, study, dt, sim_time):
    arguments = [study, "--neuron-type", "nengo.LIF", "--dt", "0.001", dt]
    arguments += ["--sim-time", sim_time, "-o", tmp_path / "r"]
    if study == "spike-decoding":
        arguments += ["--n-neurons", "5"]
    line = _refused(capsys, arguments, "--sim-time", tmp_path / "r")
    assert "--dt" in line and "one time step" in line


@pytest.mark.parametrize("study", ["spikes", "spike-decoding"])
def test_the_help_names_the_one_step_limit(capsys, study):
    with pytest.raises(SystemExit):
        main([study, "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--sim-time at least the largest --dt" in text


# --- 7: names longer than the file system allows ---------------------------------


def test_an_output_name_too_long_is_one_line(tmp_path, capsys):
    long = "a" * 300
    _refused(capsys, ["tuning", "-o", tmp_path / long / "x"], "--output")
    _refused(capsys, ["tuning", "-o", tmp_path / long], "--output")
    deep = tmp_path.joinpath(*["a"] * 3000)  # longer than PATH_MAX
    _refused(capsys, ["tuning", "-o", deep], "--output")
    assert list(tmp_path.iterdir()) == []


def test_a_json_name_too_long_is_one_line(tmp_path, capsys, model_file):
    arguments, output = _audit(tmp_path, model_file)
    arguments += ["--json", tmp_path / ("b" * 260 + ".json")]
    _refused(capsys, arguments, "--json", output)


def test_a_model_file_name_too_long_is_one_line(tmp_path, capsys):
    arguments = ["audit", tmp_path / ("a" * 300 + ".py"), "--dt", "0.001"]
    _refused(capsys, [*arguments, "-o", tmp_path / "r"], "argument FILE")


# --- 8, 11: modules named with --neuron-module -----------------------------------


def test_a_neuron_module_that_raises_is_shown_as_the_users(
    tmp_path, capsys, monkeypatch
):
    module = tmp_path / "raising_neurons.py"
    module.write_text("import nengo\n\nraise RuntimeError('boom on import')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    arguments = ["--neuron-module", "raising_neurons", "tuning"]
    arguments += ["--neuron-type", "raising_neurons.LIF", "-o", "r", "-q"]
    assert main(arguments) == 1
    error = capsys.readouterr().err
    assert "Traceback" in error and "RuntimeError: boom on import" in error
    assert f'File "{module}", line 3' in error
    assert "neuron_specs" not in error  # the traceback starts in their module
    last = error.strip().splitlines()[-1]
    assert "raising_neurons" in last and last.endswith("not by nengo-tuning")
    assert not (tmp_path / "r").exists()


def test_a_neuron_module_that_is_missing_is_one_line(tmp_path, capsys):
    arguments = ["--neuron-module", "nosuchmod", "tuning"]
    arguments += ["--neuron-type", "nosuchmod.X", "-o", tmp_path / "r"]
    line = _refused(capsys, arguments, "--neuron-type", tmp_path / "r")
    assert "cannot import module 'nosuchmod'" in line


# --- 10: the counting resolution is shown with the numbers -----------------------


def test_spike_rates_show_the_resolution_of_the_count(tmp_path, capsys):
    arguments = ["spikes", "--neuron-type", "nengo_tuning.ExactLIF", "--dt", "0.001"]
    arguments += ["--rates", "15", "--sim-time", "0.1", "-o", tmp_path / "r"]
    assert main([*map(str, arguments), "--no-progress"]) == 0
    out = capsys.readouterr().out
    (row,) = [line for line in out.splitlines() if line.startswith("| nengo_tuning")]
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    # 1.5 spikes expected in 0.1 s: one spike more is +33 %, well within +-67 %
    assert cells[2:] == ["+33.3 % (+-66.7)", "5.0 (+-10.0)"]
    assert "resolution of the count" in " ".join(out.split())


# --- 11: smaller promises --------------------------------------------------------


def test_warnings_do_not_leak_around_a_one_line_error(tmp_path):
    # in a fresh interpreter: pytest would record the warnings itself
    arguments = ["tuning", "--neuron-type", "nengo.LIF(tau_rc=1e308)", "-o", "r"]
    result = run_python_m(arguments, tmp_path)
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert "Warning" not in line and "nengo refused the model" in line


def test_warnings_of_a_run_that_succeeds_are_still_shown(tmp_path, monkeypatch):
    from nengo_tuning.workbench import study_table

    def warn_then_write(report, values):
        warnings.warn("a warning of the study", UserWarning, stacklevel=1)
        smooth.write(report, values)

    smooth = study_table.study_named("smooth")
    studies = tuple(
        dataclasses.replace(s, write=warn_then_write) if s is smooth else s
        for s in study_table.STUDIES
    )
    monkeypatch.setattr(study_table, "STUDIES", studies)
    with pytest.warns(UserWarning, match="a warning of the study"):
        assert main(["smooth", "--sigma", "0.5", "-q", "-o", str(tmp_path / "r")]) == 0


def test_a_repeated_keyword_is_refused(tmp_path, capsys):
    arguments = ["tuning", "--neuron-type", "nengo.LIF(tau_rc=0.02, tau_rc=0.5)"]
    line = _refused(capsys, [*arguments, "-o", tmp_path / "r"], "--neuron-type")
    assert "tau_rc is given twice" in line


def test_an_unknown_option_points_to_the_commands_help(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["tuning", "--bogus"])
    assert exit_info.value.code == 2
    assert "see 'nengo-tuning tuning --help'" in capsys.readouterr().err


def test_the_default_network_that_is_not_one_names_file(tmp_path, capsys):
    path = tmp_path / "five.py"
    path.write_text("model = 5\n")
    arguments = ["audit", path, "--dt", "0.001", "-o", tmp_path / "r"]
    line = _refused(capsys, arguments, "argument FILE:", tmp_path / "r")
    assert "argument --network" not in line


def test_a_table_cell_cannot_split_its_row_or_table():
    """A user's text in a cell (an ensemble's label: ``a|b``, a line break)
    stays in its cell: ``|`` escaped, line breaks as spaces; no rows is a
    table of its header."""
    from nengo_tuning.workbench.report_writer import markdown_table

    table = markdown_table(["ensemble", "loss"], [["a|b\nc\r\nd", "1 %"]])
    header, _rule, row = table.splitlines()
    assert row.replace("\\|", "").count("|") == header.count("|") == 3
    assert "a\\|b c d" in row
    assert markdown_table(["ensemble", "loss"], []).splitlines()[0] == (
        "| ensemble | loss |"
    )
