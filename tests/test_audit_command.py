"""``nengo-tuning audit FILE --dt ...``: the table, the report, the JSON, the errors."""

import json
import textwrap

import pytest

from nengo_tuning.audit.spike_loss import MEASURED, RATE_MODEL
from nengo_tuning.workbench.command import main

MODEL = """
import nengo
import nengo_tuning

with nengo.Network(seed=1) as model:
    nengo.Ensemble(
        20, 1, max_rates=nengo.dists.Uniform(300, 400), n_eval_points=50,
        label="fast",
    )
    with nengo.Network(label="sub"):
        nengo.Ensemble(20, 1, neuron_type=nengo.LIFRate(), n_eval_points=50)

other = nengo.Network(label="other")
with other:
    nengo.Ensemble(
        20, 1, neuron_type=nengo_tuning.ExactLIF(), n_eval_points=50, label="exact"
    )
number = 3

if __name__ == "__main__":
    raise RuntimeError("the main block must not run")
"""


@pytest.fixture
def model_file(tmp_path):
    path = tmp_path / "my_model.py"
    path.write_text(textwrap.dedent(MODEL))
    return path


def run(tmp_path, *arguments):
    output = tmp_path / "report"
    return main(["audit", *map(str, arguments), "-o", str(output), "--no-progress"])


def usage_error(capsys, tmp_path, *arguments):
    with pytest.raises(SystemExit) as exit_info:
        run(tmp_path, *arguments)
    assert exit_info.value.code == 2
    error = capsys.readouterr().err
    assert len(error.strip().splitlines()) == 1, error
    assert "Traceback" not in error
    assert not (tmp_path / "report").exists()
    return error


def test_one_dt_prints_a_table_writes_the_report_and_an_object(
    tmp_path, capsys, model_file
):
    out = tmp_path / "audit.json"
    assert run(tmp_path, model_file, "--dt", "0.005", "--json", out) == 0
    printed = capsys.readouterr().out
    assert "Spike loss at dt = 0.005 s" in printed
    assert "fast" in printed and "sub.ensembles[0]" in printed
    written = {p.name for p in (tmp_path / "report").iterdir()}
    assert {"summary.md", "audit_loss.png"} <= written
    assert all(
        name.startswith(".") for name in written - {"summary.md", "audit_loss.png"}
    )
    value = json.loads(out.read_text())
    assert set(value) == {"dt", "ensembles"} and value["dt"] == 0.005
    fast, rate = value["ensembles"]
    assert fast["label"] == "fast" and fast["status"] == MEASURED
    assert 0.1 < fast["spike_loss"] < 0.5 and fast["n_neurons"] == 20
    assert fast["neuron_type"] == "nengo.LIF()"
    assert rate["label"] is None and rate["name"] == "sub.ensembles[0]"
    assert rate["status"] == RATE_MODEL and rate["spike_loss"] is None


def test_several_dts_give_a_list_and_another_network(tmp_path, capsys, model_file):
    out = tmp_path / "audit.json"
    arguments = [model_file, "--network", "other", "--dt", "0.001", "0.01"]
    assert run(tmp_path, *arguments, "--json", out) == 0
    value = json.loads(out.read_text())
    assert [v["dt"] for v in value] == [0.001, 0.01]
    assert [[e["label"] for e in v["ensembles"]] for v in value] == [["exact"]] * 2
    # an earlier audit is replaced
    assert run(tmp_path, model_file, "--dt", "0.002", "--json", out) == 0
    assert json.loads(out.read_text())["dt"] == 0.002


def test_help_says_the_file_is_executed(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["audit", "--help"])
    assert exit_info.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "FILE is executed" in text
    assert "--neuron-module" not in text  # hidden: FILE imports what it needs


@pytest.mark.parametrize(
    ("source", "arguments", "message"),
    [
        (None, ["--dt", "0.001"], "does not exist"),
        ("import nengo\nmodel = (\n", ["--dt", "0.001"], "my_model.py:2"),
        ("x = 1\n", ["--dt", "0.001"], "defines no nengo.Network"),
        (MODEL, ["--network", "absent", "--dt", "0.001"], "no variable 'absent'"),
        (MODEL, ["--network", "number", "--dt", "0.001"], "not a nengo.Network"),
        ("import nengo\nnet = nengo.Network()\n", ["--dt", "0.001"], "'model'"),
        (MODEL, ["--dt", "0"], "--dt"),
        (MODEL, ["--dt", "0.5"], "--dt"),
        (MODEL, ["--dt", "fast"], "--dt"),
        (MODEL, [], "--dt"),
        (MODEL, ["--dt", "0.001", "--neuron-module", "os"], "--neuron-module"),
    ],
    ids=[
        "missing",
        "syntax",
        "no-network",
        "absent",
        "not-network",
        "not-model",
        "dt-zero",
        "dt-large",
        "dt-text",
        "dt-missing",
        "neuron-module",
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, source, arguments, message):
    path = tmp_path / "my_model.py"
    if source is not None:
        path.write_text(textwrap.dedent(source))
    error = usage_error(capsys, tmp_path, path, *arguments)
    assert message in error


def test_json_refuses_to_replace_another_file(tmp_path, capsys, model_file):
    precious = tmp_path / "notes.json"
    precious.write_text('{"mine": true}')
    error = usage_error(
        capsys, tmp_path, model_file, "--dt", "0.001", "--json", precious
    )
    assert "--json" in error
    assert precious.read_text() == '{"mine": true}'


def test_an_exception_in_the_users_code_is_shown_as_theirs(tmp_path, capsys):
    path = tmp_path / "broken.py"
    path.write_text("import nengo\n\nmodel = nengo.Network()\n1 / 0\n")
    assert run(tmp_path, path, "--dt", "0.001") == 1
    error = capsys.readouterr().err
    assert "Traceback" in error and "ZeroDivisionError" in error
    assert f'File "{path}", line 4' in error
    assert "audit_model_file" not in error  # the traceback starts in their file
    assert (
        error.strip()
        .splitlines()[-1]
        .endswith(f"raised by the code in {path}, not by nengo-tuning")
    )
    assert not (tmp_path / "report").exists()
