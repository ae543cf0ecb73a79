"""The output stage of `madnis-py launch`: command-line options, summary.txt, and a full disk that ends in one
clean paragraph with no file left behind."""

from __future__ import annotations

import errno
import json

import pytest

import madnis_py.output.atomic as atomic
from madnis_py.cli import _parser, main
from full_disk import FullDisk
from refdata_paths import PROJECT_ROOT

EE_MUMU = PROJECT_ROOT / "processes" / "ee_mumu"


def test_launch_options_parse():
    args = _parser().parse_args(["launch", "processes/ee_mumu", "--format", "lhe,hepmc", "--shower", "pythia8",
                                 "--pythia-set", "PartonLevel:MPI = off", "--no-plots", "--force", "-o", "x"])
    assert args.formats == ("lhe", "hepmc") and args.shower == "pythia8" and not args.plots
    assert args.pythia_settings == ["PartonLevel:MPI = off"]
    defaults = _parser().parse_args(["launch", "p"])
    assert defaults.formats == ("lhe",) and defaults.shower == "none" and defaults.plots


@pytest.mark.parametrize("argv", [["--format", "root"], ["--shower", "herwig"], ["--format", "hepmc", "--shower",
                                                                                  "pythia8"],
                                  ["--pythia-set", "PartonLevel:MPI = off"]])
def test_bad_launch_options_are_refused(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["launch", str(EE_MUMU), *argv])
    assert exit_info.value.code == 2
    assert "error" in capsys.readouterr().err


def test_help_documents_every_option(capsys):
    with pytest.raises(SystemExit):
        main(["launch", "--help"])
    text = capsys.readouterr().out
    for option in ("--run-card", "--param-card", "--set", "--seed", "--output", "--force", "--format", "--shower",
                   "--pythia-set", "--no-plots", "--quiet"):
        assert option in text


def test_summary_and_results(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["launch", str(EE_MUMU), "--set", "nevents=200", "--seed", "4", "--format", "lhe,hepmc",
                 "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "[generation]" in printed and "efficiency" in printed
    result = json.loads((out / "results.json").read_text())
    assert result["files"] == ["events.lhe.gz", "events.hepmc", "plots/weights.png", "plots/kinematics.png",
                               "plots/training.png", "madnis_state.pkl", "results.json", "summary.txt"]
    summary = (out / "summary.txt").read_text()
    assert "e+ e- > mu+ mu-" in summary and "cross section" in summary and "events.hepmc" in summary
    assert sorted(p.name for p in out.iterdir()) == ["events.hepmc", "events.lhe.gz", "madnis_state.pkl", "plots",
                                                      "results.json", "summary.txt"]


@pytest.mark.parametrize("room", [100, 30_000, 10**9])
def test_full_disk_is_one_paragraph_and_leaves_nothing(tmp_path, capsys, monkeypatch, room):
    """room: bytes the disk takes per file before it is full (first file, a later file, only at the rename)."""
    if room == 10**9:  # the data fit, the rename does not
        def replace(src, dst):
            raise OSError(errno.ENOSPC, "No space left on device", str(dst))

        monkeypatch.setattr(atomic.os, "replace", replace)
    else:
        monkeypatch.setattr(atomic.os, "fdopen", lambda fd, mode="wb": FullDisk(fd, room))
    out = tmp_path / "out"
    code = main(["launch", str(EE_MUMU), "--set", "nevents=200", "--format", "lhe,hepmc", "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("madnis-py: error: ") and "Traceback" not in err
    assert "\n\n" not in err.strip() and "disk is full" in " ".join(err.split())
    assert not out.exists() or not any(out.rglob("*"))
    assert not any(tmp_path.rglob("*.tmp"))
