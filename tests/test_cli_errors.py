"""A user mistake ends with one paragraph naming the file, the line and the fix; no traceback, no output."""

from __future__ import annotations


from madnis_py.cli import main
from refdata_paths import PROJECT_ROOT

EE_MUMU = PROJECT_ROOT / "processes" / "ee_mumu"


def run_cli(capsys, *args) -> tuple[int, str]:
    code = main(["launch", *map(str, args)])
    return code, capsys.readouterr().err


def assert_clean_failure(code, err, out_dir, *fragments):
    assert code == 2
    assert err.startswith("madnis-py: error: ")
    assert "Traceback" not in err
    text = " ".join(err.split())  # the message is wrapped for the terminal
    for fragment in fragments:
        assert fragment in text, err
    assert not out_dir.exists() or not any(out_dir.iterdir())


def write_proc_card(tmp_path, generate: str):
    card = tmp_path / "proc_card.dat"
    card.write_text(f"import model sm\n# a comment line\n{generate}\noutput test\n")
    return card


def test_misspelt_run_card_entry(tmp_path, capsys):
    run_card = tmp_path / "run_card.dat"
    text = (PROJECT_ROOT / "cards" / "run_card.dat").read_text().replace("= ptl ", "= ptll ")
    run_card.write_text(text)
    line = next(i for i, l in enumerate(text.splitlines(), 1) if "= ptll " in l)
    code, err = run_cli(capsys, EE_MUMU, "--run-card", run_card, "-o", tmp_path / "out")
    assert_clean_failure(code, err, tmp_path / "out", str(run_card), f"line {line}", "ptl")


def test_missing_card(tmp_path, capsys):
    code, err = run_cli(capsys, EE_MUMU, "--param-card", tmp_path / "nope.dat", "-o", tmp_path / "out")
    assert_clean_failure(code, err, tmp_path / "out", "nope.dat")


def test_missing_process(tmp_path, capsys):
    code, err = run_cli(capsys, tmp_path / "no_such_process", "-o", tmp_path / "out")
    assert_clean_failure(code, err, tmp_path / "out", "no_such_process")


def test_unknown_particle(tmp_path, capsys):
    card = write_proc_card(tmp_path, "generate e+ e- > mu+ muu-")
    code, err = run_cli(capsys, card, "-o", tmp_path / "out")
    assert_clean_failure(code, err, tmp_path / "out", str(card), "line 3", "muu-")


def test_bad_set_value(tmp_path, capsys):
    code, err = run_cli(capsys, EE_MUMU, "--set", "nevents=many", "-o", tmp_path / "out")
    assert_clean_failure(code, err, tmp_path / "out", "nevents")


def test_energy_below_threshold(tmp_path, capsys):
    card = write_proc_card(tmp_path, "generate e+ e- > t t~")
    code, err = run_cli(capsys, card, "--set", "ebeam1=100", "--set", "ebeam2=100", "-o", tmp_path / "out")
    assert_clean_failure(code, err, tmp_path / "out", "threshold", "ebeam1")


def test_existing_output_is_not_overwritten(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "events.lhe.gz").write_text("previous run")
    code, err = run_cli(capsys, EE_MUMU, "-o", out)
    assert_clean_failure(code, err, tmp_path / "unused", "--force")
    assert (out / "events.lhe.gz").read_text() == "previous run"


PP_EE = PROJECT_ROOT / "processes" / "pp_ee"


def test_pdf_set_not_installed(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LHAPDF_DATA_PATH", str(tmp_path / "empty"))
    code, err = run_cli(capsys, PP_EE, "--set", "pdlabel=lhapdf", "--set", "lhaid=12345", "-o", tmp_path / "out")
    assert_clean_failure(code, err, tmp_path / "out", "12345", "LHAPDF_DATA_PATH")


def test_cuts_that_empty_the_phase_space(tmp_path, capsys):
    code, err = run_cli(capsys, PP_EE, "--set", "mmll=20000", "-o", tmp_path / "out")
    assert_clean_failure(code, err, tmp_path / "out", "phase space is empty", "mmll")


def test_cuts_that_no_event_passes(tmp_path, capsys):
    code, err = run_cli(capsys, PP_EE, "--set", "etal=0.0001", "--set", "ptl=1", "-o", tmp_path / "out")
    assert_clean_failure(code, err, tmp_path / "out", "cross section is zero")


def test_hadron_beams_below_threshold(tmp_path, capsys):
    code, err = run_cli(capsys, PROJECT_ROOT / "processes" / "pp_tt", "--set", "ebeam1=100", "--set", "ebeam2=100",
                        "-o", tmp_path / "out")
    assert_clean_failure(code, err, tmp_path / "out", "threshold", "346")


def test_complex_mass_scheme_is_refused(tmp_path, capsys):
    card = tmp_path / "proc_card.dat"
    card.write_text("import model sm\nset complex_mass_scheme True\ngenerate e+ e- > mu+ mu-\n")
    code, err = run_cli(capsys, card, "-o", tmp_path / "out")
    assert_clean_failure(code, err, tmp_path / "out", "complex_mass_scheme")
