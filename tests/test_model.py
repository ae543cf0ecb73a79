"""Tests of the Standard Model (madnis_py.model) against numbers computed by others.

Reference values: MadGraph5_aMC@NLO 3.5.7's own W mass and strong coupling, printed in the headers
of the standalone matrix-element dumps in ``$MADNIS_REFDATA/me/mg5_standalone`` (default
``<project root>/../shared/refdata``), for the param_cards stored beside them and in
``$MADNIS_REFDATA/xsec/cards``; textbook Feynman rules of the electroweak Standard Model (couplings
in terms of e, sin/cos theta_W, the fermion charge Q and isospin T3, masses and vev).
"""

from __future__ import annotations

import math
import os
import pickle
import re
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from madnis_py.model import (AVAILABLE_MODELS, COUPLING_ORDERS, LORENTZ, SM_PARTICLES,
                             SM_VERTICES, Coupling, Parameters, UnknownModelError,
                             UnknownParticleError, couplings, expand_label, load_model,
                             sm_particle_table)
from madnis_py.errors import UserError

# ----------------------------------------------------------------------------- reference data

REFDATA = Path(os.environ.get("MADNIS_REFDATA",
                              Path(__file__).resolve().parents[1].parent / "shared" / "refdata"))
ME_DIR = REFDATA / "me" / "mg5_standalone"
XSEC_CARDS = REFDATA / "xsec" / "cards"

needs_refdata = pytest.mark.skipif(
    not ME_DIR.is_dir(),
    reason=f"MadGraph reference data not found at {ME_DIR}; set MADNIS_REFDATA to the "
           "shared/refdata directory to run these comparisons")


class TinyParamCard:
    """A minimal SLHA reader for the tests: ``value(block, index)`` and ``width(pdg)``."""

    def __init__(self, path: Path) -> None:
        self.entries: dict[tuple[str, int], float] = {}
        self.widths: dict[int, float] = {}
        block = None
        for line in path.read_text().splitlines():
            tokens = line.split("#", 1)[0].split()
            if not tokens:
                continue
            head = tokens[0].lower()
            if head == "block":
                block = tokens[1].lower()
            elif head == "decay":
                self.widths[int(tokens[1])] = float(tokens[2])
                block = None
            elif block is not None:
                self.entries[(block, int(tokens[0]))] = float(tokens[-1])

    def value(self, block: str, index: int) -> float:
        return self.entries[(block.lower(), index)]

    def width(self, pdg: int) -> float:
        return self.widths[pdg]


def _dump_header(path: Path) -> dict[str, float]:
    """G, alpha_s, MT MZ MW MH WT WZ and WW from a MadGraph standalone dump header."""
    out: dict[str, float] = {}
    for line in path.read_text().splitlines():
        if not line.startswith("#"):
            break
        text = line[1:].strip()
        match = re.match(r"G=\s*(\S+)\s+alpha_s=G\^2/\(4pi\)=\s*(\S+)", text)
        if match:
            out["G"], out["aS"] = float(match.group(1)), float(match.group(2))
        elif text.startswith("MT MZ MW MH WT WZ="):
            values = [float(v) for v in text.split("=", 1)[1].split()]
            out.update(zip(("MT", "MZ", "MW", "MH", "WT", "WZ"), values))
        elif text.startswith("WW="):
            out["WW"] = float(text.split("=", 1)[1])
    return out


def _dump_cases() -> list[tuple[Path, Path]]:
    if not ME_DIR.is_dir():
        return []
    cases = []
    for dump in sorted(ME_DIR.glob("sa_*__me_dump*.txt")):
        proc = dump.name.split("__")[0]
        card = (ME_DIR / "param_card_WT0.dat" if dump.stem.endswith("_WT0")
                else ME_DIR / f"{proc}__param_card.dat")
        cases.append((dump, card))
    return cases


def _xsec_cards() -> list[Path]:
    return sorted(XSEC_CARDS.glob("*__param_card.dat")) if XSEC_CARDS.is_dir() else []


@pytest.fixture(scope="module")
def sm():
    return load_model("sm")


@pytest.fixture(scope="module")
def params(sm):
    return sm.default_parameters()


# ----------------------------------------------------------------------------- parameters

@needs_refdata
@pytest.mark.parametrize("dump, card", _dump_cases(), ids=lambda p: p.name)
def test_parameters_match_madgraph_dump(dump, card):
    header = _dump_header(dump)
    params = Parameters.from_param_card(TinyParamCard(card), model="sm")
    # MadGraph's own W mass (G_mu scheme), to 1e-14 relative.
    assert params.MW == pytest.approx(header["MW"], rel=1e-14, abs=0)
    for name in ("MT", "MZ", "MH", "WT", "WZ", "WW"):
        assert params[name] == pytest.approx(header[name], rel=1e-15, abs=0), name
    # alpha_s = 0.118 gives MadGraph's G = 1.2177157847767197.
    assert params.aS == pytest.approx(header["aS"], rel=1e-15)
    assert params.G == pytest.approx(header["G"], rel=1e-15, abs=0)


@needs_refdata
def test_w_mass_is_madgraph_value_for_the_ee_mumu_card():
    params = Parameters.from_param_card(TinyParamCard(ME_DIR / "sa_ee_mumu__param_card.dat"))
    # 8.0419002445756163E+01 is printed by MadGraph 3.5.7 in sa_ee_mumu__me_dump.txt.
    assert params.MW == pytest.approx(80.419002445756163, rel=1e-14, abs=0)
    assert params.G == pytest.approx(1.2177157847767197, rel=1e-15, abs=0)


@needs_refdata
@pytest.mark.parametrize("card", _xsec_cards(), ids=lambda p: p.name)
def test_cross_section_cards_give_madgraph_w_mass(card):
    params = Parameters.from_param_card(TinyParamCard(card), model="sm")
    assert params.MW == pytest.approx(80.419002445756163, rel=1e-14, abs=0)
    assert (params.MB, params.MTA, params.MT, params.MH) == (4.7, 1.777, 173.0, 125.0)


@needs_refdata
def test_with_the_projects_param_card_reader():
    param_card = pytest.importorskip("madnis_py.cards.param_card")
    card = param_card.ParamCard.read(ME_DIR / "sa_gg_ttx__param_card.dat")
    params = load_model("sm").parameters(card)
    reference = Parameters.from_param_card(TinyParamCard(ME_DIR / "sa_gg_ttx__param_card.dat"))
    assert params == reference
    assert params.MW == pytest.approx(80.419002445756163, rel=1e-14, abs=0)


def test_derived_parameters_follow_the_gmu_scheme(params):
    p = params
    assert p.aEW == 1.0 / p.aEWM1
    assert p.sw2 == pytest.approx(1.0 - p.MW ** 2 / p.MZ ** 2, rel=1e-15)
    assert p.cw ** 2 + p.sw ** 2 == pytest.approx(1.0, rel=1e-15)
    # Tree-level G_mu relation Gf = pi*alpha/(sqrt(2) MW^2 sw^2) holds by construction.
    assert math.pi * p.aEW / (math.sqrt(2) * p.MW ** 2 * p.sw2) == pytest.approx(p.Gf, rel=1e-12)
    assert p.ee == pytest.approx(math.sqrt(4 * math.pi * p.aEW), rel=1e-15)
    assert p.g1 == pytest.approx(p.ee / p.cw) and p.gw == pytest.approx(p.ee / p.sw)
    # vev = (sqrt(2) Gf)^(-1/2) ~ 246.22 GeV; lam = MH^2/(2 v^2); muH = MH/sqrt(2).
    assert p.vev == pytest.approx((math.sqrt(2) * p.Gf) ** -0.5, rel=1e-12)
    assert p.vev == pytest.approx(246.2185, abs=1e-4)
    assert p.lam == pytest.approx(p.MH ** 2 / (2 * p.vev ** 2), rel=1e-15)
    assert p.muH == pytest.approx(p.MH / math.sqrt(2), rel=1e-14)
    assert p.yt == pytest.approx(math.sqrt(2) * 173.0 / p.vev, rel=1e-15)
    assert p.yb == pytest.approx(math.sqrt(2) * 4.7 / p.vev, rel=1e-15)
    assert p.ytau == pytest.approx(math.sqrt(2) * 1.777 / p.vev, rel=1e-15)
    # restrict_default: massless c, e, mu, no light Yukawas, CKM = identity.
    assert (p.MC, p.Me, p.MM, p.yc, p.ye, p.ym, p.WTA) == (0.0,) * 7
    assert p.CKM == ((1, 0, 0), (0, 1, 0), (0, 0, 1))
    assert p["ZERO"] == 0.0 and p["CKM3x3"] == 1.0 and p["MW"] == p.MW


def test_alpha_s_variation_only_changes_g(params):
    other = params.with_alpha_s(0.130)
    assert other.aS == 0.130
    assert other.G ** 2 / (4 * math.pi) == pytest.approx(0.130, rel=1e-15)
    changed = {k for k, v in params.as_dict().items() if other.as_dict()[k] != v}
    assert changed == {"aS", "G"}
    back = other.with_g(params.G)
    assert back.aS == pytest.approx(params.aS, rel=1e-15) and back.G == params.G
    with pytest.raises(ValueError, match="alpha_s"):
        params.with_alpha_s(0.0)
    with pytest.raises(ValueError, match="alpha_s"):
        params.with_alpha_s(float("nan"))


def test_restricted_parameters_are_not_read_and_are_zero():
    card_values = {("sminputs", 1): 132.507, ("sminputs", 2): 1.16639e-5, ("sminputs", 3): 0.118,
                   ("mass", 5): 4.7, ("mass", 6): 173.0, ("mass", 15): 1.777,
                   ("mass", 23): 91.188, ("mass", 25): 125.0, ("yukawa", 5): 4.7,
                   ("yukawa", 6): 173.0, ("yukawa", 15): 1.777}
    widths = {6: 1.4915, 23: 2.441404, 24: 2.0476, 25: 6.382339e-3}
    read: list[tuple[str, int]] = []

    class Card:
        def value(self, block, index):
            read.append((block, index))
            return card_values[(block, index)]

        def width(self, pdg):
            read.append(("decay", pdg))
            return widths[pdg]

    sm = Parameters.from_param_card(Card(), model="sm")
    assert set(read) == set(card_values) | {("decay", k) for k in widths}
    read.clear()
    nob = Parameters.from_param_card(Card(), model="sm-no_b_mass")
    assert ("mass", 5) not in read and ("yukawa", 5) not in read
    assert (nob.MB, nob.ymb, nob.yb) == (0.0, 0.0, 0.0)
    assert nob.MW == sm.MW and sm.MB == 4.7


def test_bad_inputs_are_rejected():
    with pytest.raises(ValueError, match="MT"):
        Parameters.from_external({"MT": -1.0})
    with pytest.raises(ValueError, match="no real W mass"):
        Parameters.from_external({"MZ": 10.0})
    with pytest.raises(ValueError, match="unknown external parameter"):
        Parameters.from_external({"MW": 80.0})
    with pytest.raises(ValueError, match="unknown sm restriction"):
        Parameters.from_external({}, model="mssm")


# ----------------------------------------------------------------------------- particles

def test_particle_table():
    table = sm_particle_table()
    assert len(table) == 30 == len(SM_PARTICLES)
    # MadGraph's `all` after `import model sm` (unitary gauge, no Goldstones): 17 particles.
    particles = {p.name for p in SM_PARTICLES if not p.is_antiparticle}
    assert particles == set("g u c d s b a ve vm vt e- mu- t z w+ h ta-".split())
    for p in SM_PARTICLES:
        anti = table[p.antiname]
        assert anti.antiname == p.name
        assert anti.pdg_code == (p.pdg_code if p.self_conjugate else -p.pdg_code)
        assert anti.charge == -p.charge and anti.spin == p.spin
        assert anti.color == (-p.color if p.color in (3, -3) else p.color)
        assert (anti.mass, anti.width) == (p.mass, p.width)
        assert table.by_pdg(p.pdg_code) is p
        assert p.is_fermion == (p.spin == 2)
    t = table["t"]
    assert (t.pdg_code, t.spin, t.color, t.charge, t.mass, t.width) == (
        6, 2, 3, Fraction(2, 3), "MT", "WT")
    assert table["T~"].name == "t~" and table["Z"].name == "z" and table["W-"].charge == -1
    assert table["e-"].antiname == "e+" and table["ve"].antiname == "ve~"
    assert [p.name for p in SM_PARTICLES if p.self_conjugate] == ["g", "a", "z", "h"]


def test_unknown_particle_error_lists_known_names(sm):
    with pytest.raises(UnknownParticleError) as info:
        sm.particle("top")
    assert isinstance(info.value, KeyError) and isinstance(info.value, UserError)
    message = str(info.value)
    assert "'top'" in message and "t~" in message and "w+" in message
    with pytest.raises(KeyError, match="PDG code 7"):
        sm.particle(7)


def test_restricted_particle_masses(sm):
    assert sm.particle("c").mass == sm.particle("e-").mass == sm.particle("mu+").mass == "ZERO"
    assert sm.particle("b").mass == "MB" and sm.particle("ta-").mass == "MTA"
    assert sm.particle("ta+").width == "ZERO"
    nob = load_model("sm-no_b_mass")
    assert nob.particle("b").mass == "ZERO" and nob.particle("b~").is_massless
    params = sm.default_parameters()
    assert sm.mass("t", params) == 173.0 and sm.width(6, params) == 1.4915
    assert sm.mass("w+", params) == params.MW and sm.mass("g", params) == 0.0
    assert params.mass_of(sm.particle("b~")) == 4.7
    assert params.width_of(sm.particle("z")) == 2.441404


# ----------------------------------------------------------------------------- vertices

def _colour_terms(structure: str) -> list[list[tuple[str, tuple[int, ...]]]]:
    if structure == "1":
        return [[]]
    factors = structure.split("*")
    out = []
    for factor in factors:
        match = re.fullmatch(r"(Identity|T|f)\(([-\d,]+)\)", factor)
        assert match, f"unexpected colour factor {factor!r}"
        out.append((match.group(1), tuple(int(i) for i in match.group(2).split(","))))
    return [out]


@pytest.mark.parametrize("vertex", SM_VERTICES, ids=lambda v: " ".join(v.particles))
def test_vertex_structure(vertex):
    table = sm_particle_table()
    parts = [table[name] for name in vertex.particles]
    assert sum(p.charge for p in parts) == 0, "charge conservation"
    # Lorentz structures fit the particles' spins.
    for structure in vertex.lorentz_structures():
        assert structure.spins == tuple(p.spin for p in parts)
    # Colour: every coloured particle is indexed exactly once, with the right representation;
    # summed (negative) indices appear twice; colour singlets appear nowhere.
    slot_rep = {"Identity": (None, None), "T": (8, 3, -3), "f": (8, 8, 8)}
    for colour in vertex.color:
        for term in _colour_terms(colour):
            seen: dict[int, int] = {}
            for name, indices in term:
                reps = slot_rep[name]
                for slot, index in enumerate(indices):
                    seen[index] = seen.get(index, 0) + 1
                    if index > 0 and reps[slot] is not None:
                        assert parts[index - 1].color == reps[slot], (colour, index)
                if name == "Identity":
                    assert sorted(parts[i - 1].color for i in indices) == [-3, 3]
            coloured = {i + 1 for i, p in enumerate(parts) if p.color != 1}
            assert {i for i in seen if i > 0} == coloured
            assert all(n == 1 for i, n in seen.items() if i > 0)
            assert all(n == 2 for i, n in seen.items() if i < 0)
    # Fermions come as [f~, f, boson].
    fermions = [p for p in parts if p.is_fermion]
    if fermions:
        assert len(fermions) == 2 and parts[0].is_antiparticle and not parts[1].is_antiparticle
        assert parts[0].is_fermion and parts[1].is_fermion
    # Couplings: defined, one set of orders per vertex, QCD order = power of G.
    orders = {tuple(sorted(COUPLING_ORDERS[name].items())) for name in vertex.couplings.values()}
    assert len(orders) == 1
    has_gluon = any(p.name == "g" for p in parts)
    assert (vertex.orders.get("QCD", 0) > 0) == has_gluon
    assert (vertex.orders.get("QED", 0) > 0) == (not has_gluon)
    assert vertex.orders.get("QED", 0) + vertex.orders.get("QCD", 0) == len(parts) - 2


def test_vertex_counts():
    # The UFO sm's vertices.py without Goldstone and ghost vertices has 71 vertices (14 bosonic,
    # 9 photon, 6 gluon, 12 Z, 6 W-lepton, 18 W-quark, 6 Yukawa); restrict_default keeps 56,
    # restrict_no_b_mass 55 (no h b~ b).
    assert len(SM_VERTICES) == 71
    assert len(load_model("sm").vertices) == 56
    assert len(load_model("sm-no_b_mass").vertices) == 55
    contents = [tuple(sorted(v.particles)) for v in SM_VERTICES]
    assert len(set(contents)) == len(contents), "each particle content appears once"


@pytest.mark.parametrize("name", AVAILABLE_MODELS)
def test_model_vertices_are_closed_under_conjugation(name):
    model = load_model(name)
    contents = {tuple(sorted(v.particles)) for v in model.vertices}
    for vertex in model.vertices:
        conjugate = tuple(sorted(model.particle(p).antiname for p in vertex.particles))
        assert conjugate in contents, vertex
        for particle in vertex.particles:
            assert particle in model.particles
    # Couplings and Lorentz structures of the model are exactly those its vertices use.
    used = {c for v in model.vertices for c in v.couplings.values()}
    assert set(model.coupling_orders) == used
    assert set(model.lorentz) == {s for v in model.vertices for s in v.lorentz}
    assert set(model.lorentz) <= set(LORENTZ)


def test_restrictions_remove_vanishing_couplings():
    sm, nob = load_model("sm"), load_model("sm-no_b_mass")
    assert sm.vertices_with("b~", "b", "h") and not nob.vertices_with("b~", "b", "h")
    for model in (sm, nob):
        assert not model.vertices_with("c~", "c", "h")
        assert not model.vertices_with("e+", "e-", "h")
        assert not model.vertices_with("s~", "u", "w-")   # CKM = identity
        assert model.vertices_with("t~", "t", "h") and model.vertices_with("ta+", "ta-", "h")
        assert model.vertices_with("b~", "t", "w-")
        params = model.default_parameters()
        values = model.couplings(params)
        assert all(c.value != 0 for c in values.values())


# ----------------------------------------------------------------------------- couplings

def test_qcd_couplings_are_constant_times_power_of_g(params):
    values = couplings(params)
    assert values["GC_10"] == Coupling("GC_10", -1, 1)
    assert values["GC_11"] == Coupling("GC_11", 1j, 1)
    assert values["GC_12"] == Coupling("GC_12", 1j, 2)
    g = params.G
    assert values["GC_12"].evaluate(g) == pytest.approx(1j * g * g)
    grid = np.array([0.9, 1.2, 1.5])
    assert np.allclose(values["GC_10"].evaluate(grid), -grid)
    other = couplings(params.with_alpha_s(0.2))
    for name, coupling_ in values.items():
        assert other[name] == coupling_, "the G-independent factor must not depend on alpha_s"
        assert coupling_.g_power == COUPLING_ORDERS[name].get("QCD", 0)


def _ffv_chiral(structure: str) -> tuple[float, float]:
    """(coefficient of gamma^mu P_L, of gamma^mu P_R) of an FFV structure string."""
    left = right = 0.0
    rest = structure.replace(" ", "")
    term = re.compile(r"([+-]?)(?:(\d+)\*)?Gamma\(3,2,(-1|1)\)(?:\*Proj([MP])\(-1,1\))?")
    while rest:
        match = term.match(rest)
        assert match, f"cannot read {structure!r}"
        sign = -1.0 if match.group(1) == "-" else 1.0
        coefficient = sign * float(match.group(2) or 1)
        if match.group(3) == "1":
            left += coefficient
            right += coefficient
        elif match.group(4) == "M":
            left += coefficient
        else:
            right += coefficient
        rest = rest[match.end():]
    return left, right


def _chiral_vertex(vertex, values) -> tuple[complex, complex]:
    left = right = 0j
    for (_, li), name in vertex.couplings.items():
        cl, cr = _ffv_chiral(LORENTZ[vertex.lorentz[li]].structure)
        left += values[name].value * cl
        right += values[name].value * cr
    return left, right


def _isospin(particle) -> Fraction:
    return Fraction(1, 2) if particle.pdg_code in (2, 4, 6, 12, 14, 16) else Fraction(-1, 2)


def test_electroweak_fermion_couplings_are_the_textbook_ones():
    # Unrestricted sm with a non-trivial CKM matrix (PDG-like Wolfenstein values) and light
    # Yukawas, so that every vertex is checked with a non-zero coupling.
    wolfenstein = {"lamWS": 0.2253, "AWS": 0.808, "rhoWS": 0.132, "etaWS": 0.341}
    light = {"ymc": 1.27, "yme": 0.000511, "ymm": 0.10566}
    params = Parameters.from_external({**wolfenstein, **light}, model="sm-full")
    assert params.CKM[0][2] == pytest.approx(0.808 * 0.2253 ** 3 * (0.132 - 0.341j))
    values = couplings(params)
    assert all(c.value != 0 for c in values.values())
    table = sm_particle_table()
    e, sw, cw = params.ee, params.sw, params.cw
    seen = {"a": 0, "z": 0, "w": 0, "h": 0}
    for vertex in SM_VERTICES:
        boson = table[vertex.particles[2]]
        fermion = table[vertex.particles[1]]
        if not fermion.is_fermion:
            continue
        if boson.name == "a":           # i e Q gamma^mu
            photon = 1j * e * float(fermion.charge)
            assert _chiral_vertex(vertex, values) == pytest.approx((photon, photon))
            seen["a"] += 1
        elif boson.name == "z":         # i e/(sw cw) gamma^mu [(T3 - Q sw2) P_L - Q sw2 P_R]
            q, t3 = float(fermion.charge), float(_isospin(fermion))
            factor = 1j * e / (sw * cw)
            expected = (factor * (t3 - q * sw ** 2), factor * (-q * sw ** 2))
            assert _chiral_vertex(vertex, values) == pytest.approx(expected, rel=1e-14), vertex
            seen["z"] += 1
        elif boson.name in ("w+", "w-"):  # i e/(sqrt2 sw) V gamma^mu P_L
            anti = table[vertex.particles[0]]
            if fermion.color == 1:
                ckm = 1.0
            else:
                up, down = (fermion, anti) if fermion.charge > 0 else (anti, fermion)
                i, j = abs(up.pdg_code) // 2 - 1, (abs(down.pdg_code) + 1) // 2 - 1
                ckm = params.CKM[i][j] if boson.name == "w+" else params.CKM[i][j].conjugate()
            expected = (1j * e / (math.sqrt(2) * sw) * ckm, 0)
            assert _chiral_vertex(vertex, values) == pytest.approx(expected, rel=1e-14), vertex
            seen["w"] += 1
        elif boson.name == "h":          # -i m_f / v
            yukawa_mass = {4: "ymc", 5: "ymb", 6: "ymt", 11: "yme", 13: "ymm", 15: "ymtau"}
            (name,) = vertex.couplings.values()
            mass = params[yukawa_mass[fermion.pdg_code]]
            assert vertex.lorentz == ("FFS4",)
            assert values[name].value == pytest.approx(-1j * mass / params.vev, rel=1e-14)
            seen["h"] += 1
    assert seen == {"a": 9, "z": 12, "w": 24, "h": 6}


def test_bosonic_couplings_are_the_textbook_ones(params):
    values = couplings(params)
    e, g, sw, cw, v = params.ee, params.gw, params.sw, params.cw, params.vev
    expected = {
        "GC_4": 1j * e,                           # a w- w+ (VVV1)
        "GC_53": 1j * g * cw,                     # w- w+ z (VVV1)
        "GC_5": 1j * e ** 2,                      # a a w- w+ (VVVV2)
        "GC_35": -1j * g ** 2,                    # w- w- w+ w+ (VVVV2)
        "GC_36": 1j * g ** 2 * cw ** 2,           # w- w+ z z (VVVV2)
        "GC_57": -2j * e * g * cw,                # a w- w+ z (VVVV5)
        "GC_72": 1j * g * params.MW,              # w- w+ h
        "GC_81": 1j * g * params.MZ / cw,         # z z h
        "GC_34": 1j * g ** 2 / 2,                 # w- w+ h h
        "GC_65": 1j * g ** 2 / (2 * cw ** 2),     # z z h h
        "GC_69": -3j * params.MH ** 2 / v,        # h h h
        "GC_33": -3j * params.MH ** 2 / v ** 2,   # h h h h
    }
    for name, value in expected.items():
        assert values[name].value == pytest.approx(value, rel=1e-13), name
        assert values[name].g_power == 0


def test_every_vertex_coupling_is_defined(params):
    values = couplings(params)
    for vertex in SM_VERTICES:
        for name in vertex.couplings.values():
            assert name in values and name in COUPLING_ORDERS
    model = load_model("sm")
    assert set(model.couplings(params)) == set(model.coupling_orders)
    with pytest.raises(ValueError, match="sm-no_b_mass"):
        load_model("sm-no_b_mass").couplings(params)


# ----------------------------------------------------------------------------- models, labels

def test_load_model_rejects_other_models():
    for name in ("mssm", "sm-full", "SM_no_b_mass", "loop_sm"):
        with pytest.raises(UnknownModelError) as info:
            load_model(name)
        assert "'sm'" in str(info.value) and "'sm-no_b_mass'" in str(info.value)
        assert isinstance(info.value, ValueError)


def test_default_multiparticles():
    sm, nob = load_model("sm"), load_model("sm-no_b_mass")
    assert sm.multiparticles["p"] == ("g", "u", "c", "d", "s", "u~", "c~", "d~", "s~")
    assert sm.multiparticles["j"] == sm.multiparticles["p"]
    assert sm.multiparticles["l+"] == ("e+", "mu+") and sm.multiparticles["vl~"] == (
        "ve~", "vm~", "vt~")
    # MadGraph: "Pass the definition of 'j' and 'p' to 5 flavour scheme." for a massless b.
    assert nob.multiparticles["p"][-2:] == ("b", "b~") and "b" in nob.expand("j")
    assert "b" not in sm.expand("p")


def test_expand_label():
    defines = {"p": ("g", "u", "u~"), "q": ("p", "d", "U"), "loop": ("loop2",), "loop2": ("loop",)}
    assert expand_label("q", defines) == ("g", "u", "u~", "d")
    assert expand_label("Z", defines) == ("z",)
    assert expand_label("P", defines) == ("g", "u", "u~")
    with pytest.raises(UnknownParticleError, match="particle or multiparticle label 'x'"):
        expand_label("x", defines)
    with pytest.raises(ValueError, match="cycle"):
        expand_label("loop", defines)


def test_model_objects_pickle(params):
    model = load_model("sm-no_b_mass")
    clone = pickle.loads(pickle.dumps(model))
    assert clone.name == model.name and clone.vertices == model.vertices
    assert pickle.loads(pickle.dumps(params)) == params
    vertex = model.vertices[2]
    assert pickle.loads(pickle.dumps(vertex)) == vertex and hash(vertex) == hash(clone.vertices[2])
    error = pickle.loads(pickle.dumps(UnknownParticleError("x", ("a", "b"))))
    assert str(error) == str(UnknownParticleError("x", ("a", "b")))
