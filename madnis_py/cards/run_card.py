"""The run_card: beams, PDFs, scales, cuts, number of events, in MadGraph's format.

Every line reads ``value = name ! comment`` (lines starting with ``#`` are comments). The reader
knows every entry of MadGraph 3.5's leading-order run_card, also those that MadGraph shows only
after ``update to_full``, ``update ecut``, ``update beam_pol``, ``update MLM``, ``update psoptim``
..., so any run_card written by MadGraph 3.5 is read as is. Entries madnis-py does not use are
accepted and listed by :meth:`RunCard.ignored`. Other modules add their own entries (MadNIS
training options) with :meth:`RunCard.register` before a card is read.

Values: integers, reals (also Fortran ``1d3`` and MadGraph's ``6.5k``), booleans (``True``,
``F``, ``.true.``, any case), words, lists (``['a', 'b']`` or ``1, 2``) and dictionaries
(``{6: 100, 25: 50}``, ``{'default': False}``). Energies, momenta and masses are in GeV.
"""

from __future__ import annotations

import difflib
import math
import os
import re
import typing
from dataclasses import dataclass
from typing import Any

from .errors import CardError, default_card_path, read_card_text
from ..output.atomic import atomic_write_text

__all__ = ["RunCard", "RunCardEntry", "SUPPORTED", "parse_set_argument"]

#: Value kinds of run_card entries.
KINDS = ("int", "float", "bool", "str", "list[int]", "list[float]", "list[str]",
         "dict[float]", "dict[bool]")


@dataclass(frozen=True)
class RunCardEntry:
    """One known run_card entry.

    Attributes:
        name: lower-case entry name as written in the card (``ptl``).
        kind: one of :data:`KINDS`.
        default: value used when the card does not give the entry (already of ``kind``).
        doc: one line saying what it is, with its unit.
        allowed: the only values accepted, or ``None`` for any value of the kind.
    """

    name: str
    kind: str
    default: Any
    doc: str
    allowed: tuple | None = None


def _e(name: str, kind: str, default: Any, doc: str, allowed: tuple | None = None) -> RunCardEntry:
    return RunCardEntry(name, kind, default, doc, allowed)


_LPP = (-4, -3, -2, -1, 0, 1, 2, 3, 4, 9)

# MadGraph 3.5 RunCardLO entries, in MadGraph's order (madgraph/various/banner.py, default_setup).
_MG_ENTRIES: tuple[RunCardEntry, ...] = (
    _e("run_tag", "str", "tag_1", "name of the run"),
    _e("gridpack", "bool", False, "set up a gridpack"),
    _e("time_of_flight", "float", -1.0, "mm; write the lifetime only above this (-1: never)"),
    _e("nevents", "int", 10000, "number of unweighted events requested"),
    _e("iseed", "int", 0, "random seed (0: chosen automatically)"),
    _e("python_seed", "int", -2, "seed of the Python unweighting (-2: same as iseed)"),
    _e("lpp1", "int", 1, "beam 1 type: 0 no PDF, 1 proton, -1 antiproton, 2 photon, "
       "+-3 electron/positron PDF, +-4 muon PDF", _LPP),
    _e("lpp2", "int", 1, "beam 2 type (as lpp1)", _LPP),
    _e("ebeam1", "float", 6500.0, "GeV; beam 1 total energy"),
    _e("ebeam2", "float", 6500.0, "GeV; beam 2 total energy"),
    _e("polbeam1", "float", 0.0, "percent; beam 1 polarisation, -100 (left) to 100 (right)"),
    _e("polbeam2", "float", 0.0, "percent; beam 2 polarisation, -100 (left) to 100 (right)"),
    _e("nb_proton1", "int", 1, "heavy ions: protons in the beam-1 ion"),
    _e("nb_proton2", "int", 1, "heavy ions: protons in the beam-2 ion"),
    _e("nb_neutron1", "int", 0, "heavy ions: neutrons in the beam-1 ion"),
    _e("nb_neutron2", "int", 0, "heavy ions: neutrons in the beam-2 ion"),
    _e("mass_ion1", "float", -1.0, "GeV; heavy ions: mass of the beam-1 ion (-1: proton)"),
    _e("mass_ion2", "float", -1.0, "GeV; heavy ions: mass of the beam-2 ion (-1: proton)"),
    _e("pdlabel", "str", "nn23lo1", "PDF set (nn23lo1, lhapdf, none, ...)"),
    _e("pdlabel1", "str", "nn23lo1", "PDF of beam 1 (follows pdlabel when not given)"),
    _e("pdlabel2", "str", "nn23lo1", "PDF of beam 2 (follows pdlabel when not given)"),
    _e("lhaid", "int", 230000, "LHAPDF set number when pdlabel = lhapdf"),
    _e("fixed_ren_scale", "bool", False, "use the fixed renormalisation scale `scale`"),
    _e("fixed_fac_scale", "bool", False, "use the fixed factorisation scales dsqrt_q2fact1/2"),
    _e("fixed_fac_scale1", "bool", False, "fixed factorisation scale for beam 1 "
       "(follows fixed_fac_scale when not given)"),
    _e("fixed_fac_scale2", "bool", False, "fixed factorisation scale for beam 2 "
       "(follows fixed_fac_scale when not given)"),
    _e("fixed_extra_scale", "bool", False, "fixed scale for running couplings other than QCD"),
    _e("scale", "float", 91.188, "GeV; fixed renormalisation scale"),
    _e("dsqrt_q2fact1", "float", 91.188, "GeV; fixed factorisation scale for PDF 1"),
    _e("dsqrt_q2fact2", "float", 91.188, "GeV; fixed factorisation scale for PDF 2"),
    _e("mue_ref_fixed", "float", 91.188, "GeV; fixed scale of the other running couplings"),
    _e("dynamical_scale_choice", "int", -1, "-1 CKKW back-clustering, 1 sum ET, 2 HT, 3 HT/2, "
       "4 sqrt(shat), 0 user hook", (-1, 0, 1, 2, 3, 4, 10)),
    _e("mue_over_ref", "float", 1.0, "ratio of the other running scale to the ren. scale"),
    _e("ievo_eva", "int", 0, "EVA scale evolution: 0 by q^2, 1 by pT^2", (0, 1)),
    _e("bias_module", "str", "None", "event-bias module"),
    _e("bias_parameters", "dict[float]", {}, "parameters of the bias module"),
    _e("scalefact", "float", 1.0, "factor on the event-by-event scales"),
    _e("ickkw", "int", 0, "0 fixed order, 1 MLM merging", (0, 1)),
    _e("highestmult", "int", 1, "MLM: highest jet multiplicity"),
    _e("ktscheme", "int", 1, "MLM: kt scheme"),
    _e("alpsfact", "float", 1.0, "MLM: scale factor for QCD emission vertices"),
    _e("chcluster", "bool", False, "MLM: cluster only according to the channel diagram"),
    _e("pdfwgt", "bool", True, "MLM: PDF reweighting"),
    _e("asrwgtflavor", "int", 5, "MLM: highest quark flavour for alpha_s reweighting"),
    _e("clusinfo", "bool", True, "MLM: write clustering information"),
    _e("custom_fcts", "list[str]", [], "files with user Fortran functions"),
    _e("lhe_version", "float", 3.0, "version of the Les Houches event format"),
    _e("boost_event", "str", "False", "boost applied to the full event"),
    _e("me_frame", "list[int]", [1, 2], "particles whose rest frame is used for the ME"),
    _e("event_norm", "str", "average", "event-weight normalisation in the LHE file",
       ("sum", "average", "unity", "bias")),
    _e("auto_ptj_mjj", "bool", True, "MLM: set ptj and mmjj from xqcut"),
    _e("bwcutoff", "float", 15.0, "on-shell window M +- bwcutoff*Gamma, in widths"),
    _e("cut_decays", "bool", False, "apply the cuts to decay products"),
    _e("dsqrt_shat", "float", 0.0, "GeV; minimum partonic centre-of-mass energy"),
    _e("dsqrt_shatmax", "float", -1.0, "GeV; maximum partonic centre-of-mass energy (-1: none)"),
    _e("nhel", "int", 0, "0 sum over helicities, 1 sample them", (0, 1)),
    _e("ptj", "float", 20.0, "GeV; minimum pT of jets"),
    _e("ptb", "float", 0.0, "GeV; minimum pT of b quarks"),
    _e("pta", "float", 10.0, "GeV; minimum pT of photons"),
    _e("ptl", "float", 10.0, "GeV; minimum pT of charged leptons"),
    _e("misset", "float", 0.0, "GeV; minimum missing ET"),
    _e("ptheavy", "float", 0.0, "GeV; minimum pT of at least one heavy final-state particle"),
    _e("ptonium", "float", 1.0, "GeV; legacy entry, unused"),
    _e("ptjmax", "float", -1.0, "GeV; maximum pT of jets (-1: none)"),
    _e("ptbmax", "float", -1.0, "GeV; maximum pT of b quarks (-1: none)"),
    _e("ptamax", "float", -1.0, "GeV; maximum pT of photons (-1: none)"),
    _e("ptlmax", "float", -1.0, "GeV; maximum pT of charged leptons (-1: none)"),
    _e("missetmax", "float", -1.0, "GeV; maximum missing ET (-1: none)"),
    _e("ej", "float", 0.0, "GeV; minimum energy of jets (partonic c.m. frame)"),
    _e("eb", "float", 0.0, "GeV; minimum energy of b quarks"),
    _e("ea", "float", 0.0, "GeV; minimum energy of photons"),
    _e("el", "float", 0.0, "GeV; minimum energy of charged leptons"),
    _e("ejmax", "float", -1.0, "GeV; maximum energy of jets (-1: none)"),
    _e("ebmax", "float", -1.0, "GeV; maximum energy of b quarks (-1: none)"),
    _e("eamax", "float", -1.0, "GeV; maximum energy of photons (-1: none)"),
    _e("elmax", "float", -1.0, "GeV; maximum energy of charged leptons (-1: none)"),
    _e("etaj", "float", 5.0, "maximum |rapidity| of jets (-1: none)"),
    _e("etab", "float", -1.0, "maximum |rapidity| of b quarks (-1: none)"),
    _e("etaa", "float", 2.5, "maximum |rapidity| of photons (-1: none)"),
    _e("etal", "float", 2.5, "maximum |rapidity| of charged leptons (-1: none)"),
    _e("etaonium", "float", 0.6, "legacy entry, unused"),
    _e("etajmin", "float", 0.0, "minimum |rapidity| of jets"),
    _e("etabmin", "float", 0.0, "minimum |rapidity| of b quarks"),
    _e("etaamin", "float", 0.0, "minimum |rapidity| of photons"),
    _e("etalmin", "float", 0.0, "minimum |rapidity| of charged leptons"),
    _e("drjj", "float", 0.4, "minimum Delta R between jets"),
    _e("drbb", "float", 0.0, "minimum Delta R between b quarks"),
    _e("drll", "float", 0.4, "minimum Delta R between charged leptons"),
    _e("draa", "float", 0.4, "minimum Delta R between photons"),
    _e("drbj", "float", 0.0, "minimum Delta R between b and jet"),
    _e("draj", "float", 0.4, "minimum Delta R between photon and jet"),
    _e("drjl", "float", 0.4, "minimum Delta R between jet and lepton"),
    _e("drab", "float", 0.0, "minimum Delta R between photon and b"),
    _e("drbl", "float", 0.0, "minimum Delta R between b and lepton"),
    _e("dral", "float", 0.4, "minimum Delta R between photon and lepton"),
    _e("drjjmax", "float", -1.0, "maximum Delta R between jets (-1: none)"),
    _e("drbbmax", "float", -1.0, "maximum Delta R between b quarks (-1: none)"),
    _e("drllmax", "float", -1.0, "maximum Delta R between charged leptons (-1: none)"),
    _e("draamax", "float", -1.0, "maximum Delta R between photons (-1: none)"),
    _e("drbjmax", "float", -1.0, "maximum Delta R between b and jet (-1: none)"),
    _e("drajmax", "float", -1.0, "maximum Delta R between photon and jet (-1: none)"),
    _e("drjlmax", "float", -1.0, "maximum Delta R between jet and lepton (-1: none)"),
    _e("drabmax", "float", -1.0, "maximum Delta R between photon and b (-1: none)"),
    _e("drblmax", "float", -1.0, "maximum Delta R between b and lepton (-1: none)"),
    _e("dralmax", "float", -1.0, "maximum Delta R between photon and lepton (-1: none)"),
    _e("mmjj", "float", 0.0, "GeV; minimum invariant mass of a jet pair"),
    _e("mmbb", "float", 0.0, "GeV; minimum invariant mass of a b pair"),
    _e("mmaa", "float", 0.0, "GeV; minimum invariant mass of a photon pair"),
    _e("mmll", "float", 0.0, "GeV; minimum invariant mass of a same-flavour l+l- pair"),
    _e("mmjjmax", "float", -1.0, "GeV; maximum invariant mass of a jet pair (-1: none)"),
    _e("mmbbmax", "float", -1.0, "GeV; maximum invariant mass of a b pair (-1: none)"),
    _e("mmaamax", "float", -1.0, "GeV; maximum invariant mass of a photon pair (-1: none)"),
    _e("mmllmax", "float", -1.0, "GeV; maximum invariant mass of an l+l- pair (-1: none)"),
    _e("mmnl", "float", 0.0, "GeV; minimum invariant mass of all leptons and neutrinos"),
    _e("mmnlmax", "float", -1.0, "GeV; maximum invariant mass of all leptons (-1: none)"),
    _e("ptllmin", "float", 0.0, "GeV; minimum pT of the sum of the leptons"),
    _e("ptllmax", "float", -1.0, "GeV; maximum pT of the sum of the leptons (-1: none)"),
    _e("xptj", "float", 0.0, "GeV; minimum pT of at least one jet"),
    _e("xptb", "float", 0.0, "GeV; minimum pT of at least one b"),
    _e("xpta", "float", 0.0, "GeV; minimum pT of at least one photon"),
    _e("xptl", "float", 0.0, "GeV; minimum pT of at least one charged lepton"),
    _e("ptj1min", "float", 0.0, "GeV; minimum pT of the leading jet"),
    _e("ptj1max", "float", -1.0, "GeV; maximum pT of the leading jet (-1: none)"),
    _e("ptj2min", "float", 0.0, "GeV; minimum pT of the second jet"),
    _e("ptj2max", "float", -1.0, "GeV; maximum pT of the second jet (-1: none)"),
    _e("ptj3min", "float", 0.0, "GeV; minimum pT of the third jet"),
    _e("ptj3max", "float", -1.0, "GeV; maximum pT of the third jet (-1: none)"),
    _e("ptj4min", "float", 0.0, "GeV; minimum pT of the fourth jet"),
    _e("ptj4max", "float", -1.0, "GeV; maximum pT of the fourth jet (-1: none)"),
    _e("cutuse", "int", 0, "reject the event if it fails any (0) or all (1) jet pT cuts"),
    _e("ptl1min", "float", 0.0, "GeV; minimum pT of the leading lepton"),
    _e("ptl1max", "float", -1.0, "GeV; maximum pT of the leading lepton (-1: none)"),
    _e("ptl2min", "float", 0.0, "GeV; minimum pT of the second lepton"),
    _e("ptl2max", "float", -1.0, "GeV; maximum pT of the second lepton (-1: none)"),
    _e("ptl3min", "float", 0.0, "GeV; minimum pT of the third lepton"),
    _e("ptl3max", "float", -1.0, "GeV; maximum pT of the third lepton (-1: none)"),
    _e("ptl4min", "float", 0.0, "GeV; minimum pT of the fourth lepton"),
    _e("ptl4max", "float", -1.0, "GeV; maximum pT of the fourth lepton (-1: none)"),
    _e("htjmin", "float", 0.0, "GeV; minimum jet HT"),
    _e("htjmax", "float", -1.0, "GeV; maximum jet HT (-1: none)"),
    _e("ihtmin", "float", 0.0, "GeV; minimum inclusive HT of all partons"),
    _e("ihtmax", "float", -1.0, "GeV; maximum inclusive HT of all partons (-1: none)"),
    _e("ht2min", "float", 0.0, "GeV; minimum HT of the two leading jets"),
    _e("ht3min", "float", 0.0, "GeV; minimum HT of the three leading jets"),
    _e("ht4min", "float", 0.0, "GeV; minimum HT of the four leading jets"),
    _e("ht2max", "float", -1.0, "GeV; maximum HT of the two leading jets (-1: none)"),
    _e("ht3max", "float", -1.0, "GeV; maximum HT of the three leading jets (-1: none)"),
    _e("ht4max", "float", -1.0, "GeV; maximum HT of the four leading jets (-1: none)"),
    _e("ptgmin", "float", 0.0, "GeV; photon isolation: minimum photon pT (0: no isolation)"),
    _e("r0gamma", "float", 0.4, "photon isolation: cone radius"),
    _e("xn", "float", 1.0, "photon isolation: n of hep-ph/9801442 eq. (3.4)"),
    _e("epsgamma", "float", 1.0, "photon isolation: epsilon_gamma of hep-ph/9801442"),
    _e("isoem", "bool", True, "photon isolation also from photons and leptons"),
    _e("xetamin", "float", 0.0, "WBF: minimum rapidity of two jets"),
    _e("deltaeta", "float", 0.0, "WBF: minimum rapidity gap of two jets"),
    _e("ktdurham", "float", -1.0, "GeV; CKKW-L merging cut (-1: none)"),
    _e("dparameter", "float", 0.4, "CKKW-L: D parameter"),
    _e("ptlund", "float", -1.0, "GeV; CKKW-L Lund pT cut (-1: none)"),
    _e("pdgs_for_merging_cut", "list[int]", [21, 1, 2, 3, 4, 5, 6],
       "PDG codes the merging cuts apply to"),
    _e("maxjetflavor", "int", 4, "largest quark PDG code counted as a light jet"),
    _e("xqcut", "float", 0.0, "GeV; MLM: minimum kt between partons"),
    _e("use_syst", "bool", True, "store the information for scale/PDF variations"),
    _e("systematics_program", "str", "systematics", "none, systematics or syscalc"),
    _e("systematics_arguments", "list[str]", ["--mur=0.5,1,2", "--muf=0.5,1,2", "--pdf=errorset"],
       "arguments of the systematics program"),
    _e("sys_scalefact", "str", "0.5 1 2", "SysCalc: scale factors"),
    _e("sys_alpsfact", "str", "None", "SysCalc: alpha_s emission scale factors"),
    _e("sys_matchscale", "str", "auto", "SysCalc: merging-scale variations"),
    _e("sys_pdf", "str", "errorset", "SysCalc: PDF sets"),
    _e("sys_scalecorrelation", "int", -1, "SysCalc: scale correlation"),
    _e("gridrun", "bool", False, "gridpack run"),
    _e("fixed_couplings", "bool", True, "couplings fixed (no running)"),
    _e("mc_grouped_subproc", "bool", True, "Monte Carlo over grouped subprocesses"),
    _e("xmtcentral", "float", 0.0, "GeV; central transverse mass (legacy)"),
    _e("d", "float", 1.0, "legacy entry"),
    _e("gseed", "int", 0, "gridpack seed"),
    _e("issgridfile", "str", "", "CKKW Sudakov grid file"),
    _e("job_strategy", "int", 0, "MadEvent job strategy (1507.00020)", (0, 1, 2)),
    _e("hard_survey", "int", 0, "MadEvent: better survey estimate"),
    _e("tmin_for_channel", "float", -1.0, "limit of the t-channel map reach (-1: none)"),
    _e("second_refine_treshold", "float", 0.9, "MadEvent: threshold for a second refine"),
    _e("survey_splitting", "int", -1, "MadEvent: cores per survey iteration"),
    _e("survey_nchannel_per_job", "int", 2, "MadEvent: channels per job"),
    _e("refine_evt_by_job", "int", -1, "MadEvent: events per refine job"),
    _e("small_width_treatment", "float", 1e-6, "widths below this times the mass are raised"),
    _e("hel_recycling", "bool", True, "MadEvent helicity recycling"),
    _e("hel_filtering", "bool", True, "MadEvent: filter zero helicities in advance"),
    _e("hel_splitamp", "bool", True, "MadEvent: split amplitude calls per helicity"),
    _e("hel_zeroamp", "bool", True, "MadEvent: drop zero amplitudes per helicity"),
    _e("sde_strategy", "int", 1, "single-diagram enhancement: 1 |M_i|^2, 2 propagator "
       "denominators", (1, 2)),
    _e("global_flag", "str", "-O", "Fortran flags for all code"),
    _e("aloha_flag", "str", "", "Fortran flags for the ALOHA routines"),
    _e("matrix_flag", "str", "", "Fortran flags for matrix.f"),
    _e("vector_size", "int", 1, "MadEvent: events per vectorised call"),
    _e("nb_warp", "int", 1, "MadEvent: warps per vectorised call"),
    _e("cudacpp_backend", "str", "cpp", "CUDACPP plugin backend"),
    _e("pt_min_pdg", "dict[float]", {}, "GeV; minimum pT per PDG code, e.g. {6: 100}"),
    _e("pt_max_pdg", "dict[float]", {}, "GeV; maximum pT per PDG code, e.g. {6: 100}"),
    _e("e_min_pdg", "dict[float]", {}, "GeV; minimum energy per PDG code"),
    _e("e_max_pdg", "dict[float]", {}, "GeV; maximum energy per PDG code"),
    _e("eta_min_pdg", "dict[float]", {}, "minimum |rapidity| per PDG code"),
    _e("eta_max_pdg", "dict[float]", {}, "maximum |rapidity| per PDG code, e.g. {6: 2.5}"),
    _e("mxx_min_pdg", "dict[float]", {}, "GeV; minimum invariant mass of X X~ pairs per PDG code"),
    _e("mxx_only_part_antipart", "dict[bool]", {"default": False},
       "mxx_min_pdg only for particle/antiparticle pairs"),
)

# madnis-py's own entries (not MadGraph's), always known.
_OWN_ENTRIES: tuple[RunCardEntry, ...] = (
    _e("me_precision", "str", "auto", "matrix-element arithmetic on the CPU: double, single (float amplitudes, "
       "~2x faster) or auto (single if it agrees with double on the first points)", ("auto", "double", "single")),
    _e("device", "str", "cpu", "where the per-event work runs: cpu (threads on all cores) or cuda (an NVIDIA GPU; "
       "needs the core built with nvcc and torch with CUDA)", ("cpu", "cuda")),
)

_REGISTRY: dict[str, RunCardEntry] = {e.name: e for e in _MG_ENTRIES + _OWN_ENTRIES}

_BEAM = {"lpp1", "lpp2", "ebeam1", "ebeam2", "polbeam1", "polbeam2"}
_CUT_STEMS = ("l", "j", "b", "a")
_CUTS = (
    {f"pt{p}" for p in _CUT_STEMS} | {f"pt{p}max" for p in _CUT_STEMS}
    | {f"eta{p}" for p in _CUT_STEMS} | {f"eta{p}min" for p in _CUT_STEMS}
    | {f"dr{pair}" for pair in ("ll", "jj", "bb", "aa", "bj", "aj", "jl", "ab", "bl", "al")}
    | {f"dr{pair}max" for pair in ("ll", "jj", "bb", "aa", "bj", "aj", "jl", "ab", "bl", "al")}
    | {f"mm{pair}" for pair in ("ll", "jj", "aa", "bb")}
    | {f"mm{pair}max" for pair in ("ll", "jj", "aa", "bb")}
)

#: Entries that madnis-py acts on. Entries given a non-default value that are not in this set
#: are reported by :meth:`RunCard.ignored`. Modules that implement an entry add it here.
SUPPORTED: set[str] = (
    _BEAM | _CUTS
    | {"nevents", "iseed", "pdlabel", "pdlabel1", "pdlabel2", "lhaid",
       "fixed_ren_scale", "fixed_fac_scale", "fixed_fac_scale1", "fixed_fac_scale2",
       "scale", "dsqrt_q2fact1", "dsqrt_q2fact2", "dynamical_scale_choice", "scalefact",
       "event_norm", "use_syst", "run_tag", "nhel", "me_precision", "device", "sde_strategy"}
)


# ---------------------------------------------------------------------------------------------
# value parsing and formatting

_TRUE = {"true", "t", ".true.", "1", "yes", "y", "on"}
_FALSE = {"false", "f", ".false.", "0", "no", "n", "off"}
_FLOAT_RE = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eEdD][+-]?\d+)?$")
_SUFFIX = {"k": 1e3, "K": 1e3, "M": 1e6}


def _default_owner(name: str) -> str:
    """Whose default an entry has, for messages: MadGraph's or madnis-py's."""
    return "MadGraph's" if any(e.name == name for e in _MG_ENTRIES) else "the"


class _BadValue(ValueError):
    """A value that does not fit its entry; the message says what was expected."""


def _to_float(text: str) -> float:
    text = text.strip()
    scale = 1.0
    if text and text[-1] in _SUFFIX and _FLOAT_RE.match(text[:-1]):
        scale, text = _SUFFIX[text[-1]], text[:-1]
    if not _FLOAT_RE.match(text):
        raise _BadValue("a real number, e.g. 10.0 or 1d3")
    value = float(text.replace("d", "e").replace("D", "e")) * scale
    if not math.isfinite(value):
        raise _BadValue("a finite real number")
    return value


def _to_int(text: str) -> int:
    if re.fullmatch(r"\s*[+-]?\d+\s*", text):
        return int(text)
    try:
        value = _to_float(text)
    except _BadValue:
        raise _BadValue("an integer, e.g. 10000") from None
    if value != int(value):
        raise _BadValue("an integer, e.g. 10000")
    return int(value)


def _to_bool(text: str) -> bool:
    word = text.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise _BadValue("True or False (also T, F, .true., .false.)")


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def _scalar(kind: str, text: str) -> Any:
    if kind == "int":
        return _to_int(text)
    if kind == "float":
        return _to_float(text)
    if kind == "bool":
        return _to_bool(text)
    return _unquote(text)


def _split_items(body: str) -> list[str]:
    """Split a list or dict body at commas outside quotes."""
    items, current, quote = [], [], None
    for char in body:
        if quote:
            current.append(char)
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
            current.append(char)
        elif char == ",":
            items.append("".join(current))
            current = []
        else:
            current.append(char)
    if quote:
        raise _BadValue("matching quotes")
    items.append("".join(current))
    return [item.strip() for item in items]


def _parse_list(kind: str, text: str) -> list:
    element = kind[5:-1]
    text = text.strip()
    bracketed = text.startswith("[") and text.endswith("]")
    if bracketed:
        text = text[1:-1]
    elif text.startswith("[") or text.endswith("]"):
        raise _BadValue("a list like [1, 2] or 1, 2")
    if not text.strip():
        return []
    items = _split_items(text) if ("," in text or bracketed) else text.split()
    if element != "str" and len(items) == 1:
        items = items[0].split()
    if any(item == "" for item in items):
        raise _BadValue("a list without empty items, like [1, 2]")
    try:
        return [_scalar(element, item) for item in items]
    except _BadValue as exc:
        raise _BadValue(f"a list whose items are each {exc}") from None


def _parse_dict(kind: str, text: str) -> dict:
    element = kind[5:-1]
    text = text.strip()
    if not (text.startswith("{") and text.endswith("}")):
        raise _BadValue("a dictionary like {6: 100, 25: 50} (or {} for none)")
    body = text[1:-1].strip()
    result: dict = {}
    if not body:
        return result
    for item in _split_items(body):
        key_text, sep, value_text = item.partition(":")
        if not sep or not key_text.strip() or not value_text.strip():
            raise _BadValue("a dictionary of `key: value` items, like {6: 100, 25: 50}")
        key_word = _unquote(key_text)
        key: int | str = int(key_word) if re.fullmatch(r"[+-]?\d+", key_word) else key_word
        try:
            result[key] = _scalar(element, value_text)
        except _BadValue as exc:
            raise _BadValue(f"a dictionary whose values are each {exc}") from None
    return result


def _parse_value(entry: RunCardEntry, text: str) -> Any:
    """Convert the text of a value to the entry's kind; raise _BadValue on failure."""
    text = text.strip()
    if entry.kind.startswith("list["):
        value = _parse_list(entry.kind, text)
    elif entry.kind.startswith("dict["):
        value = _parse_dict(entry.kind, text)
    elif entry.kind == "str":
        value = _unquote(text)
    else:
        if not text:
            raise _BadValue(f"{_describe(entry.kind)}, but the value is empty")
        value = _scalar(entry.kind, text)
    if entry.allowed is not None and value not in entry.allowed:
        raise _BadValue("one of " + ", ".join(str(a) for a in entry.allowed))
    return value


def _describe(kind: str) -> str:
    return {
        "int": "an integer", "float": "a real number", "bool": "True or False",
        "str": "a word", "list[int]": "a list of integers", "list[float]": "a list of numbers",
        "list[str]": "a list of words", "dict[float]": "a dictionary like {6: 100, 25: 50}",
        "dict[bool]": "a dictionary like {'default': False}",
    }[kind]


def _format_scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def format_value(kind: str, value: Any) -> str:
    """Write a value the way MadGraph writes it in a run_card."""
    if kind == "list[str]":
        return repr(list(value)) if value else ""
    if kind.startswith("list["):
        return ", ".join(_format_scalar(v) for v in value)
    if kind.startswith("dict["):
        items = ", ".join(f"{k!r}: {_format_scalar(v)}" for k, v in value.items())
        return "{" + items + "}"
    return _format_scalar(value)


def _kind_of(type_: Any) -> str:
    """Map a Python type (int, list[int], dict[int, float], ...) or a kind string to a kind."""
    if isinstance(type_, str):
        kind = type_.replace(" ", "")
    elif type_ in (int, float, bool, str):
        kind = type_.__name__
    else:
        origin, args = typing.get_origin(type_), typing.get_args(type_)
        if origin is list and len(args) == 1 and args[0] in (int, float, str):
            kind = f"list[{args[0].__name__}]"
        elif origin is dict and len(args) == 2 and args[1] in (float, bool):
            kind = f"dict[{args[1].__name__}]"
        else:
            kind = repr(type_)
    if kind not in KINDS:
        raise ValueError(f"run_card entry type {type_!r} is not one of {', '.join(KINDS)}")
    return kind


def _check_default(kind: str, value: Any) -> Any:
    """Validate a default given in Python and return it in canonical form."""
    if kind == "float" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if kind == "int" and isinstance(value, int) and not isinstance(value, bool):
        return value
    if kind == "bool" and isinstance(value, bool):
        return value
    if kind == "str" and isinstance(value, str):
        return value
    if kind.startswith("list[") and isinstance(value, (list, tuple)):
        return [_check_default(kind[5:-1], v) for v in value]
    if kind.startswith("dict[") and isinstance(value, dict):
        return {k: _check_default(kind[5:-1], v) for k, v in value.items()}
    raise ValueError(f"default {value!r} does not have the type {kind}")


def _copy(value: Any) -> Any:
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return dict(value)
    return value


def _suggest(name: str) -> str:
    close = difflib.get_close_matches(name, list(_REGISTRY), n=1, cutoff=0.6)
    return f"Did you mean '{close[0]}'? " if close else ""


def parse_set_argument(argument: str, source: str = "--set") -> tuple[str, str]:
    """Split a command-line setting ``NAME=VALUE`` into ``(name, value_text)``.

    Raises:
        CardError: when there is no ``=`` or no name.
    """
    name, sep, value = argument.partition("=")
    if not sep or not name.strip():
        raise CardError(source, None, f"cannot read the setting {argument!r}",
                        "Write it as NAME=VALUE, e.g. --set ptl=20")
    return name.strip().lower(), value.strip()


# ---------------------------------------------------------------------------------------------
# the card


_LINE_RE = re.compile(
    r"^(?P<indent>\s*)(?P<value>.*?)\s*=\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*"
    r"(?P<comment>[!#].*)?$")
_REVERSED_RE = re.compile(r"^\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?P<value>.*?)\s*"
                          r"(?:[!#].*)?$")


@dataclass
class _Line:
    """One line of the card text; ``name`` is set for entry lines."""

    raw: str
    name: str | None = None
    read_value: Any = None
    indent: str = ""
    comment: str = ""


class RunCard:
    """A run_card: typed access to every entry, with MadGraph's defaults for absent ones.

    ``card["ptl"]`` returns the value (a float in GeV here), the default when the card does not
    give it. ``pdlabel1``/``pdlabel2`` follow ``pdlabel`` (and the reverse, as MadGraph does)
    and ``fixed_fac_scale1``/``2`` follow ``fixed_fac_scale`` when they are not given.
    """

    def __init__(self, path: str | os.PathLike | None = None) -> None:
        """An empty card (every entry at its default); use :meth:`read` to read a file."""
        self.path: str = str(path) if path is not None else "<run_card>"
        self._values: dict[str, Any] = {}
        self._origin: dict[str, tuple[str, int | None]] = {}
        self._lines: list[_Line] = []

    # --- registry ------------------------------------------------------------------------

    @classmethod
    def register(cls, name: str, type: Any, default: Any, doc: str,
                 allowed: tuple | None = None) -> RunCardEntry:
        """Add an entry that madnis-py understands beyond MadGraph's (e.g. ``madnis_*``).

        Args:
            name: entry name (stored lower-case).
            type: int, float, bool, str, list[int], list[float], list[str], dict[int, float],
                dict[int, bool] or the kind string (``"list[int]"``).
            default: value when the card does not give it.
            doc: one line with the unit.
            allowed: optional tuple of the only accepted values.

        Registering the same entry again with the same type is allowed (the new default and doc
        win); registering a MadGraph entry or changing a type raises ValueError. The entry is
        added to :data:`SUPPORTED`.
        """
        key = name.strip().lower()
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", key):
            raise ValueError(f"run_card entry name {name!r} is not a valid identifier")
        kind = _kind_of(type)
        entry = RunCardEntry(key, kind, _check_default(kind, default), doc,
                             tuple(allowed) if allowed is not None else None)
        old = _REGISTRY.get(key)
        if old is not None:
            if any(e.name == key for e in _MG_ENTRIES):
                raise ValueError(f"{key} is a MadGraph run_card entry and cannot be redefined")
            if old.kind != kind:
                raise ValueError(f"run_card entry {key} is already registered as {old.kind}")
        _REGISTRY[key] = entry
        SUPPORTED.add(key)
        return entry

    @classmethod
    def entry(cls, name: str) -> RunCardEntry:
        """The definition of an entry; KeyError (with a suggestion) when unknown."""
        key = name.strip().lower()
        if key not in _REGISTRY:
            raise KeyError(f"unknown run_card entry {name!r}. {_suggest(key)}".strip())
        return _REGISTRY[key]

    @classmethod
    def entries(cls) -> list[RunCardEntry]:
        """All known entries: MadGraph's, then the registered ones."""
        return list(_REGISTRY.values())

    # --- construction --------------------------------------------------------------------

    @classmethod
    def read(cls, path: str | os.PathLike) -> RunCard:
        """Read a run_card file; mistakes raise :class:`CardError` naming the line."""
        return cls.from_text(read_card_text(path, "run_card"), path)

    @classmethod
    def from_text(cls, text: str, path: str | os.PathLike = "<run_card>") -> RunCard:
        """Read a run_card from its text (e.g. from an LHE header); ``path`` is for messages."""
        card = cls(path)
        for number, raw in enumerate(text.splitlines(), start=1):
            card._lines.append(card._parse_line(raw, number))
        return card

    @classmethod
    def default(cls, lepton_beams: bool) -> RunCard:
        """MadGraph 3.5's default run_card (``cards/run_card.dat``) with its beam setup.

        Args:
            lepton_beams: True for lepton collisions (lpp1 = lpp2 = 0, ebeam1 = ebeam2 = 500 GeV,
                no PDF, use_syst False, as MadGraph writes for e+ e- processes); False for the
                LHC (protons, 6500 GeV per beam, nn23lo1 with lhaid 230000).
        """
        card = cls.read(default_card_path("run_card.dat"))
        if lepton_beams:
            beams = {"lpp1": 0, "lpp2": 0, "ebeam1": 500.0, "ebeam2": 500.0,
                     "pdlabel": "none", "use_syst": False}
        else:
            beams = {"lpp1": 1, "lpp2": 1, "ebeam1": 6500.0, "ebeam2": 6500.0,
                     "pdlabel": "nn23lo1", "lhaid": 230000}
        for name, value in beams.items():
            card._assign(name, value, "default beam setup")
        return card

    def _parse_line(self, raw: str, number: int) -> _Line:
        stripped = raw.strip()
        if not stripped or stripped.startswith(("#", "!")):
            return _Line(raw)
        match = _LINE_RE.match(raw)
        if match is None:
            self._raise_unreadable(raw, number)
        name = match["name"].lower()
        if name not in _REGISTRY:
            self._raise_unknown(match["name"], number, match["value"])
        if name in self._values:
            first = self._origin[name][1]
            raise CardError(self.path, number, f"{name} is given twice (first on line {first})",
                            "Keep only one of the two lines")
        value = self._parse(name, match["value"], self.path, number)
        self._values[name] = value
        self._origin[name] = (self.path, number)
        return _Line(raw, name, _copy(value), match["indent"], (match["comment"] or "").strip())

    def _raise_unreadable(self, raw: str, number: int) -> typing.NoReturn:
        reversed_ = _REVERSED_RE.match(raw)
        if reversed_ is not None:
            name = reversed_["name"].lower()
            value = reversed_["value"]
            fix = f"write `{value} = {name}`" if value else "put the value before the name"
            if name in _REGISTRY:
                raise CardError(self.path, number, f"cannot read `{raw.strip()}`",
                                f"In a run_card the value comes first: {fix}")
            raise CardError(self.path, number, f"unknown run_card entry '{name}'",
                            f"{_suggest(name)}In a run_card the value comes first "
                            f"(`value = name ! comment`)")
        raise CardError(self.path, number, f"cannot read `{raw.strip()}`",
                        "Each line of a run_card reads `value = name ! comment`; "
                        "comment lines start with #")

    def _raise_unknown(self, name: str, number: int | None, value: str = "",
                       path: str | None = None) -> typing.NoReturn:
        key = name.lower()
        if value.strip().lower() in _REGISTRY:
            raise CardError(path or self.path, number, f"cannot read `{value.strip()} = {name}`",
                            f"In a run_card the value comes first: write "
                            f"`{name} = {value.strip().lower()}`")
        raise CardError(path or self.path, number, f"unknown run_card entry '{name}'",
                        _suggest(key) + "The entries are those of MadGraph 3.5's run_card "
                        "(see cards/run_card.dat), me_precision, device and the madnis_* options")

    @staticmethod
    def _parse(name: str, text: str, path: str, number: int | None) -> Any:
        entry = _REGISTRY[name]
        try:
            return _parse_value(entry, text)
        except _BadValue as exc:
            shown = text.strip()
            raise CardError(path, number, f"'{shown}' is not a valid value for {name}",
                            f"{name} ({entry.doc}) expects {exc}; {_default_owner(name)} default is "
                            f"`{format_value(entry.kind, entry.default) or '(empty)'} = {name}`"
                            ) from None

    # --- access --------------------------------------------------------------------------

    def __getitem__(self, name: str) -> Any:
        key = name.lower()
        if key not in _REGISTRY:
            raise KeyError(f"unknown run_card entry {name!r}. {_suggest(key)}".strip())
        if key in self._values:
            return _copy(self._values[key])
        if key in ("pdlabel1", "pdlabel2") and "pdlabel" in self._values:
            return self._values["pdlabel"]
        if key == "pdlabel" and ("pdlabel1" in self._values or "pdlabel2" in self._values):
            return self._combined_pdlabel()
        if key in ("fixed_fac_scale1", "fixed_fac_scale2") and "fixed_fac_scale" in self._values:
            return self._values["fixed_fac_scale"]
        return _copy(_REGISTRY[key].default)

    def _combined_pdlabel(self) -> str:
        one, two = self["pdlabel1"], self["pdlabel2"]
        if "lhapdf" in (one, two):
            return "lhapdf"
        if one == two:
            return one
        if "none" in (one, two):
            return two if one == "none" else one
        return "mixed"

    def __contains__(self, name: object) -> bool:
        """True for a known entry name (given in the card or not)."""
        return isinstance(name, str) and name.lower() in _REGISTRY

    def get(self, name: str, default: Any = None) -> Any:
        """``card[name]`` for a known entry, ``default`` for an unknown name."""
        return self[name] if name in self else default

    def is_set(self, name: str) -> bool:
        """Whether the card (or a later :meth:`set`) gives the entry explicitly."""
        return name.lower() in self._values

    def origin(self, name: str) -> tuple[str, int | None] | None:
        """``(path or source, line)`` where an explicitly given entry was set, else None."""
        return self._origin.get(name.lower())

    def set(self, name: str, text: Any, source: str = "--set") -> None:
        """Set an entry from text, as ``--set NAME=VALUE`` on the command line does.

        The text is parsed and validated like a card line; a non-string value is written out
        first and validated the same way. Errors raise :class:`CardError` naming ``source``.
        """
        key = name.strip().lower()
        if key not in _REGISTRY:
            self._raise_unknown(name.strip(), None, path=source)
        if not isinstance(text, str):
            text = format_value(_REGISTRY[key].kind, text)
        self._store(key, self._parse(key, text, source, None), source)

    def _assign(self, name: str, value: Any, source: str) -> None:
        self._store(name, _check_default(_REGISTRY[name].kind, value), source)

    def _store(self, key: str, value: Any, source: str) -> None:
        """Set a value; the per-beam forms follow a later setting of the common entry."""
        self._values[key] = value
        self._origin[key] = (source, None)
        followers = {"pdlabel": ("pdlabel1", "pdlabel2"),
                     "fixed_fac_scale": ("fixed_fac_scale1", "fixed_fac_scale2")}
        for sub in followers.get(key, ()):
            if sub in self._values:
                self._values[sub] = value
                self._origin[sub] = (source, None)

    def ignored(self) -> list[str]:
        """Entries given a non-default value that madnis-py does not use, in card order."""
        return [name for name, value in self._values.items()
                if name not in SUPPORTED and value != _REGISTRY[name].default]

    def as_dict(self) -> dict[str, Any]:
        """Every known entry with its value (explicit or default)."""
        return {name: self[name] for name in _REGISTRY}

    # --- output --------------------------------------------------------------------------

    def to_text(self) -> str:
        """The card in MadGraph's format (for the LHE header or a copy of the run).

        Lines read from a file are kept as they were, except that entries whose value changed
        are rewritten; entries set outside the file follow in a section at the end. A card not
        read from a file lists every entry.
        """
        out: list[str] = []
        written: set[str] = set()
        for line in self._lines:
            if line.name is None:
                out.append(line.raw)
                continue
            written.add(line.name)
            value = self._values[line.name]
            if value == line.read_value and type(value) is type(line.read_value):
                out.append(line.raw)
            else:
                out.append(self._entry_line(line.name, value, line.indent or "  ",
                                            line.comment))
        if self._lines:
            extra = [name for name in self._values if name not in written]
        else:
            extra = list(_REGISTRY)
        if extra:
            out += ["#" + "*" * 69,
                    "# " + ("Entries set outside the card file" if self._lines
                            else "run_card written by madnis-py (MadGraph 3.5 format)"),
                    "#" + "*" * 69]
            out += [self._entry_line(name, self[name], "  ", "! " + _REGISTRY[name].doc)
                    for name in extra]
        return "\n".join(out) + "\n"

    @staticmethod
    def _entry_line(name: str, value: Any, indent: str, comment: str) -> str:
        text = f"{indent}{format_value(_REGISTRY[name].kind, value)}\t= {name}"
        return f"{text} {comment}" if comment else text

    def write(self, path: str | os.PathLike) -> None:
        """Write :meth:`to_text` to ``path`` atomically (temporary file, then rename)."""
        atomic_write_text(path, self.to_text(), compress=False)

    def __repr__(self) -> str:
        return f"RunCard({self.path!r}, {len(self._values)} entries given)"

