"""Readers of MadGraph's run_card, param_card and proc_card.

The reference cards are the ones MadGraph 3.5.7 wrote for the cross sections in
``$MADNIS_REFDATA/xsec/cards``; the expected numbers below are read off those files.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from madnis_py.cards import (SUPPORTED, CardError, ParamCard, ProcCard, RunCard,
                             default_card_path, parse_process, parse_set_argument)
from madnis_py.cards import run_card as run_card_module

from refdata_paths import refdata_dir

REFDATA = refdata_dir()
CARDS = REFDATA / "xsec" / "cards"

needs_refdata = pytest.mark.skipif(
    not CARDS.is_dir(),
    reason=f"reference cards not found in {CARDS} (set MADNIS_REFDATA to the refdata directory)")


def ref_cards(kind: str) -> list[Path]:
    return sorted(CARDS.glob(f"*__{kind}.dat")) if CARDS.is_dir() else []


def error_of(function, *args) -> CardError:
    with pytest.raises(CardError) as info:
        function(*args)
    return info.value


# ------------------------------------------------------------------------------------------
# the reference cards written by MadGraph 3.5.7

@needs_refdata
def test_reference_card_set_is_complete():
    assert len(ref_cards("run_card")) == len(ref_cards("param_card")) \
        == len(ref_cards("proc_card_mg5")) == 6


@needs_refdata
@pytest.mark.parametrize("path", ref_cards("run_card"), ids=lambda p: p.name)
def test_every_reference_run_card_reads_and_round_trips(path):
    card = RunCard.read(path)
    assert card.to_text() == path.read_text()  # unchanged cards are written back verbatim
    again = RunCard.from_text(card.to_text(), "copy")
    assert again.as_dict() == card.as_dict()
    assert card["nevents"] == 10000
    assert card["pt_min_pdg"] == {} and card["mxx_only_part_antipart"] == {"default": False}
    assert card["systematics_arguments"] == ["--mur=0.5,1,2", "--muf=0.5,1,2",
                                             "--pdf=errorset"]
    assert card["custom_fcts"] == []
    assert card["lhaid"] == 230000
    assert card["dynamical_scale_choice"] == -1
    assert card["scale"] == 91.188
    assert card.ignored() == []  # MadGraph's own cards hold nothing madnis-py would drop


@needs_refdata
def test_lepton_run_card_values():
    card = RunCard.read(CARDS / "ee_mumu__run_sqrts1000__run_card.dat")
    assert (card["lpp1"], card["lpp2"]) == (0, 0)
    assert card["ebeam1"] == card["ebeam2"] == 500.0
    assert isinstance(card["ebeam1"], float) and isinstance(card["lpp1"], int)
    assert (card["ptl"], card["etal"], card["drll"]) == (10.0, 2.5, 0.4)
    assert card["iseed"] == 11
    assert card["use_syst"] is False and card["fixed_ren_scale"] is False
    assert card["pdlabel1"] == card["pdlabel2"] == "none"
    assert card["pdlabel"] == "none"  # derived from pdlabel1/2 as MadGraph does
    assert card["event_norm"] == "average"
    assert card.is_set("polbeam1") and not card.is_set("ptj")
    assert card["ptj"] == 20.0  # absent: MadGraph's default

    low = RunCard.read(CARDS / "ee_mumu__run_sqrts91p188__run_card.dat")
    assert low["ebeam1"] == 45.594 and low["iseed"] == 12

    nocuts = RunCard.read(CARDS / "ee_mumu__run_sqrts1000_nocuts__run_card.dat")
    assert (nocuts["ptl"], nocuts["etal"], nocuts["drll"]) == (0.0, -1.0, 0.0)


@needs_refdata
def test_hadron_run_card_values():
    tt = RunCard.read(CARDS / "pp_tt_rep__run_13TeV_10k_rep__run_card.dat")
    assert (tt["lpp1"], tt["lpp2"], tt["ebeam1"], tt["ebeam2"]) == (1, 1, 6500.0, 6500.0)
    assert tt["pdlabel"] == tt["pdlabel1"] == tt["pdlabel2"] == "nn23lo1"
    assert tt["use_syst"] is True and tt["iseed"] == 22
    assert tt["ptheavy"] == 0.0 and not tt.is_set("ptl")

    ee = RunCard.read(CARDS / "pp_ee__run_13TeV_mll50_only__run_card.dat")
    assert (ee["mmll"], ee["ptl"], ee["etal"], ee["drll"]) == (50.0, 0.0, -1.0, 0.0)
    assert ee["iseed"] == 32 and ee["mmllmax"] == -1.0


@needs_refdata
@pytest.mark.parametrize("path", ref_cards("param_card"), ids=lambda p: p.name)
def test_every_reference_param_card(path):
    card = ParamCard.read(path)
    assert card.to_text() == path.read_text()
    assert card.value("MASS", 6) == 173.0
    assert card.value("mass", 23) == 91.188
    assert card.value("MASS", 25) == 125.0
    assert card.value("MASS", 5) == 4.7 and card.value("MASS", 15) == 1.777
    assert card.value("MASS", 24) == 80.419  # dependent parameter, as written by MadGraph
    assert card.width(6) == 1.4915 and card.width(-6) == 1.4915
    assert card.width(23) == 2.441404 and card.width(24) == 2.0476
    assert card.width(25) == 6.382339e-3 and card.width(5) == 0.0
    assert card.value("DECAY", 25) == 6.382339e-3
    assert card.block("YUKAWA") == {5: 4.7, 6: 173.0, 15: 1.777}
    sminputs = card.block("SMINPUTS")
    assert sminputs[1] == 132.507 and sminputs[2] == 1.16639e-5
    # MadGraph writes the PDF's alpha_s(MZ) = 0.130 into the pp cards, keeps 0.118 otherwise
    assert sminputs[3] == (0.130 if path.name.startswith("pp_") else 0.118)


@needs_refdata
@pytest.mark.parametrize("path", ref_cards("proc_card_mg5"), ids=lambda p: p.name)
def test_every_reference_proc_card(path):
    card = ProcCard.read(path)
    assert card.model == "sm" and card.model_line is not None
    assert card.option("zerowidth_tchannel") is True
    assert card.options["complex_mass_scheme"] is False
    assert card.options["gauge"] == "unitary"
    assert card.options["max_t_for_channel"] == 99
    assert card.multiparticles["p"] == ["g", "u", "c", "d", "s", "u~", "c~", "d~", "s~"]
    assert card.multiparticles["l+"] == ["e+", "mu+"]
    assert card.notes == []
    assert len(card.processes) == 1
    process = card.processes[0]
    expected = {"ee_mumu": (["e+", "e-"], ["mu+", "mu-"]), "pp_ee": (["p", "p"], ["e+", "e-"]),
                "pp_tt_rep": (["p", "p"], ["t", "t~"])}[card.output]
    assert (process.initial, process.final) == expected
    generate = [i for i, line in enumerate(path.read_text().splitlines(), 1)
                if line.startswith("generate")]
    assert process.line == generate[0] and process.path == str(path)
    assert card.to_text() == path.read_text()


# ------------------------------------------------------------------------------------------
# defaults

def test_default_card_files_match_the_registry():
    card = RunCard.read(default_card_path("run_card.dat"))
    for name in ("ptj", "ptl", "etaj", "etal", "drjj", "drll", "nevents", "lhaid", "ebeam1"):
        assert card.is_set(name), name
    assert all(card[name] == RunCard.entry(name).default
               for name in card.as_dict() if card.is_set(name))
    assert card.ignored() == []


def test_default_beams():
    lepton = RunCard.default(lepton_beams=True)
    assert (lepton["lpp1"], lepton["lpp2"], lepton["ebeam1"], lepton["ebeam2"]) == (0, 0, 500.0,
                                                                                 500.0)
    assert lepton["pdlabel"] == lepton["pdlabel1"] == "none"
    hadron = RunCard.default(lepton_beams=False)
    assert (hadron["lpp1"], hadron["ebeam1"], hadron["pdlabel"], hadron["lhaid"]) == \
        (1, 6500.0, "nn23lo1", 230000)
    text = lepton.to_text()
    assert "  0\t= lpp1" in text and "  500.0\t= ebeam1" in text and "none\t= pdlabel" in text
    assert RunCard.from_text(text).as_dict() == lepton.as_dict()


def test_default_param_card_is_madgraph_sm():
    card = ParamCard.default()
    expected = {("MASS", 6): 173.0, ("MASS", 23): 91.188, ("MASS", 25): 125.0,
                ("MASS", 5): 4.7, ("MASS", 15): 1.777, ("SMINPUTS", 1): 132.507,
                ("SMINPUTS", 2): 1.16639e-5, ("SMINPUTS", 3): 0.118, ("YUKAWA", 5): 4.7,
                ("YUKAWA", 6): 173.0, ("YUKAWA", 15): 1.777}
    for (block, index), value in expected.items():
        assert card.value(block, index) == value
    assert (card.width(6), card.width(23), card.width(24), card.width(25)) == \
        (1.4915, 2.441404, 2.0476, 6.382339e-3)
    assert card.comment("MASS", 6) == "MT"


def test_bare_card_lists_every_entry_and_reads_back():
    card = RunCard()
    assert card["ptl"] == 10.0 and not card.is_set("ptl")
    text = card.to_text()
    assert text.count("\n") >= len(RunCard.entries())
    assert RunCard.from_text(text).as_dict() == card.as_dict()


# ------------------------------------------------------------------------------------------
# run_card syntax

def test_value_syntax():
    text = """# comment
  1d3 = ebeam1 ! Fortran exponent
  6.5k = ebeam2 ! MadGraph's k suffix
  .TRUE. = fixed_ren_scale
  f = use_syst
  T = cut_decays
  1e4 = nevents
  {6: 100, 25: 50.5} = pt_min_pdg
  {'default': True, 6: False} = mxx_only_part_antipart
  21, 1, 2 = pdgs_for_merging_cut
  [3, 4] = me_frame
  lhapdf = pdlabel
  	= custom_fcts ! empty list
  0 = nb_proton1 # heavy-ion block uses # comments
  -O3 -ffast-math = global_flag
  1 = SDE_strategy
  0.4 = R0gamma
"""
    card = RunCard.from_text(text, "syntax.dat")
    assert card["ebeam1"] == 1000.0 and card["ebeam2"] == 6500.0
    assert card["fixed_ren_scale"] is True and card["use_syst"] is False
    assert card["cut_decays"] is True
    assert card["nevents"] == 10000 and isinstance(card["nevents"], int)
    assert card["pt_min_pdg"] == {6: 100.0, 25: 50.5}
    assert card["mxx_only_part_antipart"] == {"default": True, 6: False}
    assert card["pdgs_for_merging_cut"] == [21, 1, 2] and card["me_frame"] == [3, 4]
    assert card["pdlabel1"] == "lhapdf"
    assert card["custom_fcts"] == [] and card.is_set("custom_fcts")
    assert card["global_flag"] == "-O3 -ffast-math"
    assert card["sde_strategy"] == 1 and card["r0gamma"] == 0.4
    assert RunCard.from_text(card.to_text()).as_dict() == card.as_dict()


def test_full_madgraph_blocks_are_accepted():
    # lines that MadGraph 3.5 shows only after update to_full / MLM / psoptim / beam_pol
    text = """  0 = ickkw ! 0 no matching, 1 MLM
  1.0 = alpsfact ! scale factor for QCD emission vx
  False = chcluster
  5 = asrwgtflavor
  True = auto_ptj_mjj
  0.0 = xqcut
  -1.0 = ktdurham
  0.4 = dparameter
  -1.0 = ptlund
  21, 1, 2, 3, 4, 5, 6 = pdgs_for_merging_cut
  0 = job_strategy
  0 = hard_survey
  -1.0 = tmin_for_channel
  -1 = survey_splitting
  2 = survey_nchannel_per_job
  -1 = refine_evt_by_job
  -O = global_flag
  = aloha_flag
  = matrix_flag
  16384 = vector_size
  cpp = cudacpp_backend
  1 = nb_proton1 # number of proton for the first beam
  0 = nb_neutron1
  -1.0 = mass_ion1
  0.0 = polbeam1
  False = fixed_fac_scale1
  False = fixed_fac_scale2
  0.5 1 2 = sys_scalefact
  errorset = sys_pdf
"""
    card = RunCard.from_text(text)
    assert card["vector_size"] == 16384 and card["ktdurham"] == -1.0
    assert card["sys_scalefact"] == "0.5 1 2" and card["aloha_flag"] == ""
    assert card.ignored() == ["vector_size"]  # the only non-default entry madnis-py ignores


def test_ignored_lists_unused_non_default_entries():
    card = RunCard.from_text(" 20.0 = ptl\n 1 = nhel\n 1 = hard_survey\n 15.0 = bwcutoff\n")
    assert card.ignored() == ["hard_survey"]  # ptl and nhel are used; bwcutoff is default
    card.set("ptj", "30")
    card.set("gridpack", "True")
    card.set("sde_strategy", "2")  # used
    assert card.ignored() == ["hard_survey", "gridpack"]


def test_set_from_the_command_line():
    card = RunCard.default(lepton_beams=True)
    name, value = parse_set_argument("PTL = 25.5")
    card.set(name, value)
    assert card["ptl"] == 25.5 and card.origin("ptl") == ("--set", None)
    card.set("pt_min_pdg", "{6: 100}")
    assert card["pt_min_pdg"] == {6: 100.0}
    card.set("nevents", 500)  # non-text values are validated as well
    assert card["nevents"] == 500
    card.set("pdlabel", "lhapdf")
    assert card["pdlabel1"] == "lhapdf"
    text = card.to_text()
    assert "  25.5\t= ptl" in text
    assert "{6: 100.0}\t= pt_min_pdg" in text
    reread = RunCard.from_text(text)
    assert (reread["ptl"], reread["nevents"], reread["pt_min_pdg"]) == (25.5, 500, {6: 100.0})

    error = error_of(card.set, "ptll", "20")
    assert error.path == "--set" and error.line is None
    assert "'ptll'" in str(error) and "Did you mean 'ptl'?" in str(error)
    assert str(error).startswith("--set: unknown run_card entry")
    error = error_of(card.set, "nevents", "many")
    assert "nevents" in str(error) and "integer" in str(error)
    assert card["nevents"] == 500  # unchanged by the failed setting
    error = error_of(parse_set_argument, "ptl20")
    assert "NAME=VALUE" in str(error)


def test_register_runtime_entries(monkeypatch):
    monkeypatch.setattr(run_card_module, "_REGISTRY", dict(run_card_module._REGISTRY))
    monkeypatch.setattr(run_card_module, "SUPPORTED", set(SUPPORTED))
    error = error_of(RunCard.from_text, " 3 = madnis_layers\n", "run_card.dat")
    assert error.line == 1
    RunCard.register("madnis_layers", list[int], [64, 64], "hidden-layer widths of the flow")
    RunCard.register("use_madnis", bool, True, "train a MadNIS flow after VEGAS")
    card = RunCard.from_text(" 128, 128, 64 = madnis_layers\n F = use_madnis\n")
    assert card["madnis_layers"] == [128, 128, 64] and card["use_madnis"] is False
    assert card.ignored() == []  # registered entries count as used
    assert RunCard()["madnis_layers"] == [64, 64]
    with pytest.raises(ValueError):
        RunCard.register("ptl", float, 5.0, "redefining a MadGraph entry")
    with pytest.raises(ValueError):
        RunCard.register("use_madnis", int, 1, "changing the type")
    with pytest.raises(ValueError):
        RunCard.register("madnis_bad", int, "ten", "default of the wrong type")


# ------------------------------------------------------------------------------------------
# run_card errors

def test_misspelt_entry(tmp_path):
    path = tmp_path / "run_card.dat"
    path.write_text("# a comment\n  10000 = nevents\n  10 = ptll ! minimum pt\n")
    error = error_of(RunCard.read, path)
    assert (error.path, error.line) == (str(path), 3)
    assert str(error).startswith(f"{path}, line 3: unknown run_card entry 'ptll'.")
    assert "Did you mean 'ptl'?" in str(error)
    assert "\n" not in str(error)


def test_entry_in_name_value_order():
    error = error_of(RunCard.from_text, "\n ptll = 10\n", "run_card.dat")
    assert error.line == 2 and "Did you mean 'ptl'?" in str(error)
    error = error_of(RunCard.from_text, " ptl = 10\n", "run_card.dat")
    assert "value comes first" in str(error) and "`10 = ptl`" in str(error)


@pytest.mark.parametrize("line, words", [
    (" abc = ptl", ["'abc'", "ptl", "real number"]),
    (" 1.5 = nevents", ["'1.5'", "nevents", "integer"]),
    (" maybe = use_syst", ["'maybe'", "use_syst", "True or False"]),
    (" 7 = lpp1", ["'7'", "lpp1", "one of"]),
    (" {6: abc} = pt_min_pdg", ["pt_min_pdg", "dictionary"]),
    (" 6: 100 = pt_min_pdg", ["pt_min_pdg", "{6: 100, 25: 50}"]),
    (" sometimes = event_norm", ["event_norm", "average"]),
    ("  = ptl", ["ptl", "empty"]),
    (" 1e999 = ptl", ["ptl", "finite"]),
    (" nan = ptl", ["ptl", "real number"]),
])
def test_bad_values(line, words):
    error = error_of(RunCard.from_text, "# header\n" + line + " ! comment\n", "cards/run.dat")
    assert error.line == 2 and error.path == "cards/run.dat"
    assert str(error).startswith("cards/run.dat, line 2: ")
    for word in words:
        assert word in str(error), (word, str(error))


def test_unreadable_and_duplicate_lines():
    error = error_of(RunCard.from_text, " just some words\n", "r.dat")
    assert error.line == 1 and "value = name" in str(error)
    error = error_of(RunCard.from_text, " 1 = lpp1\n 0 = lpp2\n 1 = LPP1\n", "r.dat")
    assert error.line == 3 and "first on line 1" in str(error)


def test_missing_files(tmp_path):
    for reader, kind in ((RunCard.read, "run_card"), (ParamCard.read, "param_card"),
                         (ProcCard.read, "proc_card")):
        path = tmp_path / "nowhere" / f"{kind}.dat"
        error = error_of(reader, path)
        assert error.path == str(path) and error.line is None
        assert str(error).startswith(f"{path}: file not found.")
        assert error.hint and kind in error.hint
    error = error_of(RunCard.read, tmp_path)
    assert "directory" in str(error)


def test_card_error_format():
    error = CardError("run_card.dat", 4, "something is wrong.", "Fix it")
    assert str(error) == "run_card.dat, line 4: something is wrong. Fix it."
    assert str(CardError("x.dat", None, "bad")) == "x.dat: bad."
    assert (error.path, error.line, error.message, error.hint) == \
        ("run_card.dat", 4, "something is wrong", "Fix it")


# ------------------------------------------------------------------------------------------
# param_card

def test_param_card_syntax_and_set():
    text = """BLOCK MASS # masses
   6 1.73d2 # MT
BLOCK MIXING Q= 91.188
   1 2 -5.0e-01 # a two-index entry
DECAY 6 1.5 # WT
#  BR NDA ID1 ID2
   1.0 2 5 24
decay 23 2.4
"""
    card = ParamCard.from_text(text, "p.dat")
    assert card.value("MASS", 6) == 173.0
    assert card.value("MIXING", 1, 2) == -0.5 and card.block("mixing") == {(1, 2): -0.5}
    assert card.scale("MIXING") == 91.188 and card.scale("MASS") is None
    assert card.width(6) == 1.5 and card.width(23) == 2.4
    assert [c.daughters for c in card.decay_channels(6)] == [(5, 24)]
    card.set("MASS", 6, 172.5)
    card.set("MASS", 25, 125.0)
    card.set("DECAY", 6, 1.4)
    card.set("NEWBLOCK", 3, 2.0)
    reread = ParamCard.from_text(card.to_text(), "copy")
    assert reread.value("MASS", 6) == 172.5 and reread.value("MASS", 25) == 125.0
    assert reread.width(6) == 1.4 and reread.value("NEWBLOCK", 3) == 2.0
    assert reread.comment("MASS", 6) == "MT" and reread.decay_channels(6)
    assert reread.value("MIXING", 1, 2) == -0.5


@pytest.mark.parametrize("text, line, words", [
    ("BLOCK MASS\n  6 abc # MT\n", 2, ["MASS 6", "'abc'", "not a number"]),
    ("# header\n  6 173.0 # MT\n", 2, ["outside any block", "BLOCK"]),
    ("BLOCK MASS\n  6 173\n  6 174\n", 3, ["twice", "first on line 2"]),
    ("BLOCK MASS\nBLOCK SMINPUTS\nblock mass\n", 3, ["twice"]),
    ("DECAY 25 Auto\n", 1, ["25", "'Auto'", "not a number"]),
    ("DECAY 6 1.5\nDECAY 6 1.4\n", 2, ["twice"]),
    ("DECAY 6\n", 1, ["DECAY pdg width"]),
    ("BLOCK MASS\n  6.5 173\n", 2, ["'6.5'", "integer index"]),
    ("DECAY 6 1.5\n  0.5 3 5 24\n", 2, ["decay channel", "NDA"]),
    ("BLOCK\n", 1, ["without a name"]),
])
def test_param_card_errors(text, line, words):
    error = error_of(ParamCard.from_text, text, "param_card.dat")
    assert (error.path, error.line) == ("param_card.dat", line)
    for word in words:
        assert word in str(error), (word, str(error))


def test_param_card_missing_entries():
    card = ParamCard.default()
    assert "no entry 7" in str(error_of(card.value, "MASS", 7))
    assert "no DECAY line for particle 7" in str(error_of(card.width, 7))
    assert "no BLOCK FOO" in str(error_of(card.block, "FOO"))
    assert card.has("MASS", 6) and not card.has("MASS", 7) and card.has("DECAY", 6)


# ------------------------------------------------------------------------------------------
# proc_card

def test_process_syntax():
    process = parse_process("e+ e- > z > mu+ mu- / a $ h $$ w+ QED = 2 QCD==0 @ 3", "x", 7)
    assert (process.initial, process.final) == (["e+", "e-"], ["mu+", "mu-"])
    assert process.required_s_channels == ["z"]
    assert process.excluded == ["a"] and process.s_channel_excluded == ["h"]
    assert process.s_channel_removed == ["w+"]
    assert process.coupling_orders == {"QED": ("<=", 2), "QCD": ("==", 0)}
    assert process.process_id == 3 and process.line == 7 and process.path == "x"
    assert str(process) == "e+ e- > z > mu+ mu- / a $ h $$ w+ QED<=2 QCD==0 @3"
    assert parse_process(str(process)).coupling_orders == process.coupling_orders
    assert parse_process("p p > t t~ QCD<=2").coupling_orders == {"QCD": ("<=", 2)}
    assert parse_process("t > b w+").initial == ["t"]


def test_proc_card_commands():
    text = """import model sm-no_b_mass
define q u d   # without =
define v=w+ w-
generate p p > t t~ QED=0 @1
add process p p > t t~ j QED=0 @2
output madevent pp_tt -nojpeg
set complex_mass_scheme False
display particles
launch
set nevents 1000
"""
    card = ProcCard.from_text(text, "proc_card.dat")
    assert card.model == "sm-no_b_mass"
    assert "b" in card.multiparticles["p"] and "b~" in card.multiparticles["j"]
    assert card.multiparticles["q"] == ["u", "d"] and card.multiparticles["v"] == ["w+", "w-"]
    assert card.multiparticle_lines["q"] == 2 and card.multiparticle_lines["p"] is None
    assert [p.process_id for p in card.processes] == [1, 2]
    assert [p.line for p in card.processes] == [4, 5]
    assert card.processes[1].final == ["t", "t~", "j"]
    assert (card.output, card.output_format, card.output_options) == ("pp_tt", "madevent",
                                                                      ["-nojpeg"])
    assert card.option("complex_mass_scheme") is False
    assert card.option("zerowidth_tchannel") is True  # MadGraph 3.5 default
    assert "nevents" not in card.options  # answers to launch are not proc_card options
    assert len(card.notes) == 3 and card.notes[0].startswith("line 8:")
    assert "line 10" in card.notes[2]
    generate_again = ProcCard.from_text("generate e+ e- > mu+ mu-\ngenerate e+ e- > ta+ ta-\n")
    assert [p.final for p in generate_again.processes] == [["ta+", "ta-"]]
    assert ProcCard.from_text("generate e+ e- > mu+ mu-\n").model == "sm"


@pytest.mark.parametrize("text, line, words", [
    ("import model sm\ngenerate e+ e- mu+ mu-\n", 2, ["no `>`"]),
    ("generate e+ e- >\n", 1, ["empty final state"]),
    ("generate > mu+ mu-\n", 1, ["no initial state"]),
    ("generate e+ e- e- > mu+ mu-\n", 1, ["3 incoming"]),
    ("generate p p > t t~, (t > b w+)\n", 1, ["decay chains are not supported yet"]),
    ("generate p p > t t~, t > b w+\n", 1, ["decay chains are not supported yet"]),
    ("generate p p > t t~ QCD^2<=4\n", 1, ["squared", "QCD^2<=4"]),
    ("generate p p > t t~ [QCD]\n", 1, ["NLO"]),
    ("generate p p > t t~ / \n", 1, ["`/` is not followed"]),
    ("generate p p > t t~ @x\n", 1, ["@x"]),
    ("\n\ngenerat p p > t t~\n", 3, ["unknown command 'generat'", "Did you mean 'generate'?"]),
    ("import model mssm\n", 1, ["'mssm'", "sm-no_b_mass"]),
    ("generate e+ e- > mu+ mu-\nimport model sm\n", 2, ["before the first generate"]),
    ("define = a b\n", 1, ["define NAME = a b c"]),
    ("define q =\n", 1, ["no valid particles"]),
    ("set zerowidth_tchannel\n", 1, ["no value"]),
    ("add model foo\n", 1, ["add process"]),
])
def test_proc_card_errors(text, line, words):
    error = error_of(ProcCard.from_text, text, "proc_card.dat")
    assert (error.path, error.line) == ("proc_card.dat", line)
    assert str(error).startswith(f"proc_card.dat, line {line}: ")
    for word in words:
        assert word in str(error), (word, str(error))


def test_process_error_helper_names_the_line():
    card = ProcCard.from_text("\ngenerate e+ e- > xx yy\n", "proc.dat")
    error = card.processes[0].error("unknown particle 'xx'", "Use MadGraph's names")
    assert str(error) == "proc.dat, line 2: unknown particle 'xx'. Use MadGraph's names."
