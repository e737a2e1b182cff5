"""The report folder: the command deletes only what it wrote, at every instant.

Earlier reports here are written by the command itself; the cases that need a
process killed or signalled at a given point run the command in a subprocess
with that point instrumented (a signal sent from inside ``os.rename`` or from
the last message), so that the timing is exact rather than raced.
"""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from child_processes import INTERRUPTIBLE

from nengo_tuning.workbench.command import main

REPO = Path(__file__).resolve().parent.parent
SMOOTH = ["smooth", "--sigma", "0.5", "-q"]


def _files(folder):
    """Every entry of ``folder`` (hidden ones too) with its bytes."""
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def _names(folder):
    return sorted(p.name for p in folder.iterdir())


def _write_report(target, *extra):
    assert main([*SMOOTH, *extra, "-o", str(target)]) == 0
    return _files(target)


def _command(args, cwd=None, code=None, **kwargs):
    """Run the command in a fresh interpreter (``code`` runs first)."""
    script = textwrap.dedent(code or "") + textwrap.dedent("""
        import sys
        from nengo_tuning.workbench.command import main
        sys.exit(main(sys.argv[1:]))
        """)
    return subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=cwd or REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        **INTERRUPTIBLE,
        **kwargs,
    )


def _refused(args, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1, lines
    return lines[0]


# --- only an earlier report's files are replaced ----------------------------------


def test_rerun_refuses_a_report_folder_holding_foreign_files(tmp_path, capsys):
    # the case: notes.md and a copied figure must survive, untouched
    target = tmp_path / "rep"
    _write_report(target)
    (target / "notes.md").write_text("notes")
    (target / "photo.png").write_bytes((target / "smooth_vs_sharp.png").read_bytes())
    before = _files(target)
    line = _refused([*SMOOTH, "-o", str(target)], capsys)
    assert "--output" in line and "notes.md" in line and "photo.png" in line
    assert _files(target) == before
    assert _names(tmp_path) == ["rep"]


def test_rerun_refuses_a_report_whose_summary_was_edited(tmp_path, capsys):
    target = tmp_path / "rep"
    _write_report(target)
    with open(target / "summary.md", "a", encoding="utf-8") as file:
        file.write("\nmy own notes\n")
    before = _files(target)
    line = _refused([*SMOOTH, "-o", str(target)], capsys)
    assert "--output" in line and "summary.md" in line
    assert _files(target) == before


def test_a_folder_that_only_looks_like_a_report_is_not_replaced(tmp_path, capsys):
    # a summary.md with the report's title and a figure, written by someone else
    target = tmp_path / "rep"
    target.mkdir()
    (target / "summary.md").write_text("# nengo-tuning report\n\nmine\n")
    (target / "smooth_vs_sharp.png").write_bytes(b"my figure")
    before = _files(target)
    line = _refused([*SMOOTH, "-o", str(target)], capsys)
    assert "summary.md" in line
    assert _files(target) == before


def test_rerun_replaces_exactly_an_earlier_report(tmp_path):
    target = tmp_path / "rep"
    _write_report(target)
    assert (
        main(
            ["spikes", "--neuron-type", "nengo.LIF", "--dt", "0.005"]
            + ["--rates", "50", "--sim-time", "0.1", "-q", "-o", str(target)]
        )
        == 0
    )
    assert "rate_vs_spike.png" in _names(target)
    assert "smooth_vs_sharp.png" not in _names(target)  # the old run's figure went
    assert _names(tmp_path) == ["rep"]


# --- interruptions and kills ------------------------------------------------------

_SIGNAL_BETWEEN_RENAMES = """
import os, signal
_rename = os.rename
_calls = []
def rename(source, destination):
    _rename(source, destination)
    _calls.append(destination)
    if len(_calls) == 1 and os.path.basename(str(destination)) != "{target}":
        os.kill(os.getpid(), signal.{signal})  # the earlier report is moved aside
os.rename = rename
"""


@pytest.mark.parametrize("signame, status", [("SIGTERM", 143), ("SIGINT", 130)])
def test_a_signal_during_the_swap_waits_for_it(signame, status, tmp_path):
    target = tmp_path / "rep"
    _write_report(target)
    code = _SIGNAL_BETWEEN_RENAMES.format(target="rep", signal=signame)
    result = _command([*SMOOTH, "--sigma", "0.25", "-o", str(target)], code=code)
    assert result.returncode == status, result.stderr
    (line,) = result.stderr.splitlines()
    assert "after the report was written" in line
    assert "sigma=0.25" in (target / "summary.md").read_text()
    assert _names(tmp_path) == ["rep"]


def test_a_kill_during_the_swap_is_undone_by_the_next_run(tmp_path):
    target = tmp_path / "rep"
    before = _write_report(target)
    code = _SIGNAL_BETWEEN_RENAMES.format(target="rep", signal="SIGKILL")
    killed = _command([*SMOOTH, "--sigma", "0.25", "-o", str(target)], code=code)
    assert killed.returncode == -signal.SIGKILL
    # the next run (here one that nengo refuses while it runs) puts it back
    result = _command(
        ["tuning", "--neuron-type", "nengo.LIF(tau_ref=0.5)", "-o", str(target)]
    )
    assert result.returncode == 2, result.stderr
    assert _files(target) == before
    assert _names(tmp_path) == ["rep"]


def _start_long_run(target, cwd=None):
    args = ["spikes", "--neuron-type", "nengo.LIF", "--dt", "0.0001"]
    args += ["--sim-time", "99", "--no-progress", "-q", "-o", str(target)]
    return subprocess.Popen(
        [sys.executable, "-m", "nengo_tuning", *args],
        cwd=cwd or REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **INTERRUPTIBLE,
    )


def _wait_for_hidden_folder(parent, process):
    deadline = time.monotonic() + 120
    while not any(p.name.startswith(".") for p in parent.iterdir()):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the run never started writing"
        time.sleep(0.05)


def test_sigterm_exits_143_in_one_line_and_leaves_nothing(tmp_path):
    target = tmp_path / "rep"
    before = _write_report(target)
    process = _start_long_run(target)
    _wait_for_hidden_folder(tmp_path, process)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 143
    assert stderr.splitlines() == ["nengo-tuning: terminated; no report written"]
    assert _files(target) == before
    assert _names(tmp_path) == ["rep"]


def test_the_folder_of_a_killed_run_is_removed_by_the_next(tmp_path):
    target = tmp_path / "rep"
    _write_report(target)
    process = _start_long_run(target)
    _wait_for_hidden_folder(tmp_path, process)
    process.kill()
    process.communicate(timeout=120)
    assert len(_names(tmp_path)) == 2  # its temporary folder is left behind
    _write_report(target)
    assert _names(tmp_path) == ["rep"]


def test_temporary_folders_of_live_runs_and_lookalikes_are_left_alone(tmp_path):
    target = tmp_path / "rep"
    lookalike = tmp_path / ".nt-1-0123abcd"  # pid 1 is alive; not ours anyway
    lookalike.mkdir()
    (lookalike / "data").write_text("someone's")
    _write_report(target)
    assert (lookalike / "data").read_text() == "someone's"


def test_sigint_after_the_commit_says_the_report_was_written(tmp_path):
    target = tmp_path / "rep"
    code = """
    import os, signal
    from nengo_tuning.workbench import report_writer
    _echo = report_writer.Report.echo
    def echo(self, text):
        if text.strip().startswith("Report written"):
            os.kill(os.getpid(), signal.SIGINT)
        _echo(self, text)
    report_writer.Report.echo = echo
    """
    result = _command(["smooth", "-o", str(target)], code=code)
    assert result.returncode == 130
    (line,) = result.stderr.splitlines()
    assert "after the report was written" in line and "rep" in line
    assert (target / "summary.md").exists()


# --- where the report may go -------------------------------------------------------


def test_long_names_work_on_rerun(tmp_path):
    limit = os.pathconf(tmp_path, "PC_NAME_MAX")
    target = tmp_path / ("r" * limit)
    _write_report(target)
    _write_report(target, "--sigma", "0.2")
    assert "sigma=0.2" in (target / "summary.md").read_text()
    assert _names(tmp_path) == [target.name]


def test_a_name_over_the_limit_is_refused_before_running(tmp_path, capsys):
    limit = os.pathconf(tmp_path, "PC_NAME_MAX")
    start = time.perf_counter()
    line = _refused([*SMOOTH, "-o", str(tmp_path / ("r" * (limit + 1)))], capsys)
    assert "--output" in line and str(limit) in line
    assert time.perf_counter() - start < 5  # before the study ran
    assert _names(tmp_path) == []


def test_a_symlink_output_is_refused_as_a_symlink(tmp_path, capsys):
    target = tmp_path / "rep"
    before = _write_report(target)
    (tmp_path / "link").symlink_to(target)
    line = _refused([*SMOOTH, "-o", str(tmp_path / "link")], capsys)
    assert "--output" in line and "symbolic link" in line
    assert _files(target) == before
    assert (tmp_path / "link").is_symlink()


@pytest.mark.parametrize("output", [".", "..", "{cwd}"])
def test_the_current_folder_is_never_replaced(output, tmp_path):
    here = tmp_path / "work"
    here.mkdir()
    result = _command([*SMOOTH, "-o", output.format(cwd=here)], cwd=here)
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert "--output" in line and "current folder" in line
    assert here.is_dir() and _names(tmp_path) == ["work"]


def test_an_empty_current_folder_report_into_dot_is_refused_not_deleted(tmp_path):
    # the shell's folder is a report from an earlier run: still never moved
    target = tmp_path / "rep"
    _write_report(target)
    inode = target.stat().st_ino
    result = _command([*SMOOTH, "-o", "."], cwd=target)
    assert result.returncode == 2
    assert target.stat().st_ino == inode


def _mount_tmpfs(folder, size):
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode()[-200:]}")


@pytest.fixture
def mount_point(tmp_path):
    """An empty mount point (needs mount(8) and the right to mount)."""
    folder = tmp_path / "volume"
    _mount_tmpfs(folder, "20m")
    yield folder
    subprocess.run(["umount", str(folder)], check=False)


def test_an_empty_mount_point_receives_the_report(mount_point):
    assert main([*SMOOTH, "-o", str(mount_point)]) == 0
    assert "smooth_vs_sharp.png" in _names(mount_point)
    assert main([*SMOOTH, "--sigma", "0.2", "-o", str(mount_point)]) == 0
    assert "sigma=0.2" in (mount_point / "summary.md").read_text()
    assert not [n for n in _names(mount_point) if n.startswith(".nt-")]


@pytest.fixture
def small_disk(tmp_path):
    """A file system with room for one smooth report and not two."""
    folder = tmp_path / "disk"
    _mount_tmpfs(folder, "120k")
    yield folder
    subprocess.run(["umount", str(folder)], check=False)


def test_a_full_disk_is_one_line_naming_output_and_keeps_the_report(small_disk, capsys):
    target = small_disk / "rep"
    before = _write_report(target)
    line = _refused([*SMOOTH, "--sigma", "0.2", "-o", str(target)], capsys)
    assert "--output" in line and "No space left on device" in line
    assert _files(target) == before
    assert _names(small_disk) == ["rep"]


def test_a_full_disk_from_matplotlib_is_one_line(tmp_path, monkeypatch, capsys):
    # the same without a file system to fill: savefig fails as PIL does there
    import errno

    from matplotlib.figure import Figure

    def full(self, fname, *args, **kwargs):
        Path(fname).write_bytes(b"half a figure")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    target = tmp_path / "rep"
    before = _write_report(target)
    monkeypatch.setattr(Figure, "savefig", full)
    line = _refused([*SMOOTH, "-o", str(target)], capsys)
    assert "--output" in line and "No space left on device" in line
    assert _files(target) == before
    assert _names(tmp_path) == ["rep"]


def test_a_manifest_never_names_files_outside_its_folder(mount_point, tmp_path):
    # a manifest edited to list a file beside the mount point: a rerun replaces
    # the report's own files only
    import json

    victim = tmp_path / "victim"
    victim.write_text("keep me")
    assert main([*SMOOTH, "-o", str(mount_point)]) == 0
    (manifest,) = [p for p in mount_point.iterdir() if p.name.startswith(".")]
    record = json.loads(manifest.read_text())
    record["files"]["../victim"] = {"size": 7, "sha256": "0" * 64}
    manifest.write_text(json.dumps(record))
    assert main([*SMOOTH, "--sigma", "0.2", "-o", str(mount_point)]) == 0
    assert victim.read_text() == "keep me"
