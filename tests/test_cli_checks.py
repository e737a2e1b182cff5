"""What a study will evaluate is checked before it runs; neuron-type names import
only what the user asks for.

A refusal here must come before any study runs (``studies_must_not_run``), in
one line on stderr naming the argument, with exit status 2.
"""

import dataclasses
import textwrap
import tracemalloc

import numpy as np
import pytest
from child_processes import run_python_m

from nengo_tuning.workbench import study_table
from nengo_tuning.workbench.command import main


@pytest.fixture
def studies_must_not_run(monkeypatch):
    def must_not_run(report, values):
        raise AssertionError("the study ran: the arguments were not refused")

    studies = tuple(
        dataclasses.replace(study, write=must_not_run) for study in study_table.STUDIES
    )
    monkeypatch.setattr(study_table, "STUDIES", studies)


def _refusal(args, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([*args, "-q", "-o", str(tmp_path / "rep")])
    assert exit_info.value.code == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1, lines
    assert list(tmp_path.iterdir()) == []
    return lines[0]


# --- functions: the study's own points --------------------------------------------

# finite on the 201-point grid of [-1, 1] that was checked, NaN in (0.001, 0.009)
NAN_BETWEEN_GRID_POINTS = "sqrt(abs(x-0.005)-0.004)"


@pytest.mark.parametrize(
    "args",
    [
        ["decode", "--function", NAN_BETWEEN_GRID_POINTS, "--n-neurons", "20"],
        ["spike-decoding", "--function", NAN_BETWEEN_GRID_POINTS],
    ],
    ids=["decode", "spike-decoding"],
)
@pytest.mark.usefixtures("studies_must_not_run")
def test_a_function_failing_at_a_study_point_is_refused_before_running(
    args, tmp_path, capsys
):
    line = _refusal(args, tmp_path, capsys)
    assert "--function" in line and "nan" in line


def test_an_expression_error_while_running_is_one_line(tmp_path, capsys, monkeypatch):
    # a function that fails only where the study evaluates it (as one the checks
    # could not foresee would): usage, not a bug
    from nengo_tuning.workbench.expressions import ExpressionError

    def fails(report, values):
        raise ExpressionError("function 'f(x)' is [nan] at x = [0.0083]")

    smooth = dataclasses.replace(study_table.study_named("smooth"), write=fails)
    monkeypatch.setattr(study_table, "STUDIES", (smooth,))
    line = _refusal(["smooth"], tmp_path, capsys)
    assert line.startswith("nengo-tuning: error:") and "f(x)" in line


def test_the_study_points_are_the_points_nengo_solves_on():
    # the decoders' evaluation points the check uses are the ones the built
    # connection was solved on (so the check is of the right points)
    import nengo

    from nengo_tuning.workbench import simulation, tuning_and_decoding

    seen = []

    def record(x):
        seen.append(np.array(x, copy=True))
        return x

    tuning_and_decoding.decode_function(record, n_neurons=30, seed=4)
    expected = simulation.decoder_eval_points(30, 1, 4).astype(nengo.rc.float_dtype)
    evaluated = np.array(seen)
    # after the calls at x = 0 that find the output size (the workbench's and
    # Nengo's), Nengo evaluates the function at each of its evaluation points
    start = next(i for i in range(len(seen)) if np.array_equal(seen[i], expected[0]))
    assert np.array_equal(evaluated[start : start + len(expected)], expected)


# --- bounds that count outputs and operations --------------------------------------

VECTOR_499 = "[" + ",".join(["x"] * 499) + "]"  # 999 characters
LONG_CLIPS = "+".join(["clip(x, 0, 1)"] * 40) + "+x"


@pytest.mark.parametrize(
    "args",
    [
        ["spike-decoding", "--neuron-type", "nengo.LIF", "--function", VECTOR_499]
        + ["--dt", "1e-5", "--sim-time", "10"],
        ["decode", "--function", *[LONG_CLIPS] * 8, "--trials", "20"]
        + ["--n-neurons", *[str(n) for n in range(5, 25)]],
    ],
    ids=["499 outputs at 1e6 steps", "8 long clip expressions x 20 sizes x 20"],
)
@pytest.mark.usefixtures("studies_must_not_run")
def test_runs_of_hours_or_gigabytes_are_refused_before_running(args, tmp_path, capsys):
    line = _refusal(args, tmp_path, capsys)
    assert "--function" in line and "estimated" in line


def test_the_memory_estimate_covers_what_the_study_holds():
    # measured peak of the arrays a small spike-decoding run allocates, against
    # the estimate (which must not be below it, nor absurdly above)
    import argparse

    from nengo_tuning.workbench import spikes_vs_rates, study_costs
    from nengo_tuning.workbench.expressions import parse_function

    function = parse_function("[" + ", ".join(["x"] * 100) + "]")
    values = argparse.Namespace(
        neuron_type=["nengo.LIF"],
        dt=[1e-4],
        sim_time=0.5,
        n_neurons=50,
        function=function,
        seed=0,
    )
    tracemalloc.start()
    spikes_vs_rates.spiking_decoding_error(
        "nengo.LIF", dts=(1e-4,), function=function, sim_time=0.5
    )
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    estimate = study_costs.cost_spike_decoding(values).bytes - study_costs._BASE_BYTES
    assert peak <= estimate <= 10 * peak


def test_the_cost_grows_with_outputs_and_operations():
    import argparse

    from nengo_tuning.workbench import study_costs
    from nengo_tuning.workbench.expressions import parse_function

    def spike_decoding(text):
        values = argparse.Namespace(
            neuron_type=["nengo.LIF"],
            dt=[1e-4],
            sim_time=1.0,
            n_neurons=50,
            function=parse_function(text),
            seed=0,
        )
        return study_costs.cost_spike_decoding(values)

    one, many = spike_decoding("x"), spike_decoding(VECTOR_499)
    assert many.bytes > 50 * (one.bytes - study_costs._BASE_BYTES)
    assert many.seconds > one.seconds
    short, long = spike_decoding("x"), spike_decoding(LONG_CLIPS)
    assert long.seconds > 2 * short.seconds


def test_the_default_report_is_within_the_bounds():
    import argparse

    from nengo_tuning.workbench.study import check_study_values

    for study in study_table.STUDIES:
        values = argparse.Namespace(**study.default_values(), seed=0, progress=False)
        check_study_values(study, values)  # raises if refused


# --- neuron types ------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "nengo.neurons.NeuronType",
        "nengo.LIF(amplitude=1e300)",
        "nengo_tuning.ExactLIF(amplitude=1e-300)",
    ],
)
@pytest.mark.usefixtures("studies_must_not_run")
def test_neuron_types_the_workbench_cannot_run_are_one_line(name, tmp_path, capsys):
    for study in ("tuning", "decode"):
        line = _refusal([study, "--neuron-type", name], tmp_path, capsys)
        assert "--neuron-type" in line


def test_a_name_does_not_import_the_standard_library(tmp_path):
    result = run_python_m(["tuning", "--neuron-type", "this.LIF", "-o", "r"], tmp_path)
    assert result.returncode == 2
    assert "Beautiful is better than ugly" not in result.stdout + result.stderr
    (line,) = result.stderr.splitlines()
    assert "--neuron-type" in line


EVIL = """
from pathlib import Path
Path("imported").write_text("evilmod ran")
import nengo
class LIF(nengo.LIF):
    pass
"""


def test_a_name_does_not_import_from_the_current_folder(tmp_path):
    (tmp_path / "evilmod.py").write_text(textwrap.dedent(EVIL))
    result = run_python_m(
        ["tuning", "--neuron-type", "evilmod.LIF", "-o", "r"], tmp_path
    )
    assert result.returncode == 2
    assert not (tmp_path / "imported").exists()
    (line,) = result.stderr.splitlines()
    assert "--neuron-type" in line and "--neuron-module evilmod" in line


def test_a_module_named_explicitly_may_be_imported(tmp_path):
    (tmp_path / "evilmod.py").write_text(textwrap.dedent(EVIL))
    args = ["--neuron-module", "evilmod", "tuning", "--neuron-type", "evilmod.LIF"]
    result = run_python_m([*args, "-q", "-o", "r"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "imported").exists()
    assert "evilmod.LIF" in (tmp_path / "r" / "summary.md").read_text()


@pytest.mark.parametrize(
    "name", ["nengo.Ensemble", "nengo.neurons", "nengo.dists.Uniform"]
)
@pytest.mark.usefixtures("studies_must_not_run")
def test_what_resolves_must_be_a_neuron_type(name, tmp_path, capsys):
    line = _refusal(["tuning", "--neuron-type", name], tmp_path, capsys)
    assert "--neuron-type" in line


def test_the_help_names_the_import_policy(capsys):
    from nengo_tuning.workbench.neuron_specs import NEURON_TYPE_PACKAGES

    with pytest.raises(SystemExit):
        main(["tuning", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--neuron-module" in text and "nothing else is imported" in text
    for package in NEURON_TYPE_PACKAGES:
        assert package in text
