"""Parton densities: LHAPDF6 grids read, located and evaluated by the core, checked against LHAPDF 6.2.3 numbers.

Reference: ../shared/refdata/pdf/lhapdf623_NNPDF23_lo_as_0130_qed_mem0_xfxQ.csv (x f(x, Q) from LHAPDF 6.2.3 for
MadGraph's default set, 26 x times 21 Q values times 14 flavours). The NNPDF2.3 LO grid is one Q subgrid (no
flavour thresholds inside it): 100 x knots 1e-9..1 and 50 Q knots 1..1e4 GeV. Classes of reference points:

* interior: x and Q both off the outermost knot intervals. Tolerance 1e-6 relative (+1e-14 absolute for tiny
  values); we agree to the last bit.
* edge: x in the last x interval (0.99) or Q on the first or last Q knot (1, 1e4 GeV): one-sided finite-difference
  derivatives there. Tolerance 1e-4 relative (+1e-12 absolute); we agree to the last bit as well.
* threshold: Q within one knot interval of an internal subgrid boundary. None exist for this grid (one subgrid);
  subgrid boundaries are checked with a synthetic multi-subgrid grid below.
* first Q interval off the knots (Q = 1.2 GeV only): LHAPDF 6.2.3 is wrong there. Its interpolation cache keeps the
  Q-knot spacings of the previously evaluated Q interval when the new point lies in the first interval, so its
  value depends on the call history. test_lhapdf623_first_q_interval_is_a_cache_artefact shows that all 364 such
  rows are reproduced to 1e-12 by LHAPDF's formula fed with the last interval's spacings (what a preceding
  Q = 1e4 GeV call leaves behind); we use the correct spacings (as LHAPDF 6.2.1 and >= 6.3 do).
"""

from __future__ import annotations

import filecmp
import importlib.metadata
import os
from pathlib import Path

import numpy as np
import pytest

from madnis_py.errors import UserError
from madnis_py.pdf import (
    DEFAULT_PDF_SET,
    PDF,
    PDFSetNotFoundError,
    find_pdf_set,
    pdf_search_paths,
    read_lhagrid1,
)

SET = "NNPDF23_lo_as_0130_qed"


def refdata_dir() -> Path:
    default = Path(__file__).resolve().parents[1] / ".." / "shared" / "refdata"
    return Path(os.environ.get("MADNIS_REFDATA", default))


@pytest.fixture(scope="module")
def ref_set_dir() -> Path:
    d = refdata_dir() / "pdf" / SET
    if not (d / f"{SET}_0000.dat").is_file():
        pytest.skip(f"reference PDF grid not found in {d}: set MADNIS_REFDATA to the shared refdata directory")
    return d


@pytest.fixture(scope="module")
def pdf(ref_set_dir) -> PDF:
    return PDF.from_file(ref_set_dir / f"{SET}_0000.dat")


@pytest.fixture(scope="module")
def table(ref_set_dir):
    path = ref_set_dir.parent / "lhapdf623_NNPDF23_lo_as_0130_qed_mem0_xfxQ.csv"
    if not path.is_file():
        pytest.skip(f"LHAPDF reference table {path} not found: set MADNIS_REFDATA to the shared refdata directory")
    x, q, pid, ref = np.loadtxt(path, delimiter=",", comments="#").T
    return x, q, pid.astype(np.int32), ref


def point_classes(pdf: PDF, x, q):
    """Boolean masks (interior, edge, first_q_interval, threshold) for the reference points (see module doc)."""
    xk, qk = pdf.grid.x_knots[0], pdf.grid.q_knots[0]
    assert len(pdf.grid.q_knots) == 1, "the classification below assumes the single-subgrid NNPDF2.3 LO grid"
    ix = np.clip(np.searchsorted(xk, x, side="right") - 1, 0, len(xk) - 2)
    iq = np.clip(np.searchsorted(qk, q, side="right") - 1, 0, len(qk) - 2)
    on_q_knot = np.isin(q, qk)
    first_q = (iq == 0) & ~on_q_knot
    threshold = np.zeros_like(first_q)
    edge = ~first_q & ((ix == 0) | (ix == len(xk) - 2) | (iq == len(qk) - 2) | (q == qk[0]) | (q == qk[-1]))
    interior = ~first_q & ~edge & ~threshold
    return interior, edge, first_q, threshold


def test_reference_points_interior(pdf, table):
    x, q, pid, ref = table
    interior, edge, first_q, threshold = point_classes(pdf, x, q)
    assert interior.sum() == 6300 and edge.sum() == 980 and first_q.sum() == 364 and threshold.sum() == 0
    got = pdf.xfxq_per_event(x[interior], q[interior], pid[interior])
    np.testing.assert_allclose(got, ref[interior], rtol=1e-6, atol=1e-14)


def test_reference_points_edges(pdf, table):
    x, q, pid, ref = table
    _, edge, _, _ = point_classes(pdf, x, q)
    got = pdf.xfxq_per_event(x[edge], q[edge], pid[edge])
    np.testing.assert_allclose(got, ref[edge], rtol=1e-4, atol=1e-12)


def _hermite(t, vl, vdl, vh, vdh):
    t2, t3 = t * t, t * t * t
    return (2 * t3 - 3 * t2 + 1) * vl + (t3 - 2 * t2 + t) * vdl + (-2 * t3 + 3 * t2) * vh + (t3 - t2) * vdh


def test_lhapdf623_first_q_interval_is_a_cache_artefact(pdf, table):
    x, q, pid, ref = table
    _, _, first_q, _ = point_classes(pdf, x, q)
    g = pdf.grid
    lx, lq = np.log(g.x_knots[0]), np.log(g.q_knots[0] ** 2)
    stale_dq1, stale_dq2 = lq[-1] - lq[-2], -1.0  # LHAPDF's spacings for the last Q interval (dlogq_2 unset: -1)

    def dlogx(v, i, k):
        if i == 0:
            return (v[1, k] - v[0, k]) / (lx[1] - lx[0])
        if i == len(lx) - 1:
            return (v[i, k] - v[i - 1, k]) / (lx[i] - lx[i - 1])
        return ((v[i, k] - v[i - 1, k]) / (lx[i] - lx[i - 1]) + (v[i + 1, k] - v[i, k]) / (lx[i + 1] - lx[i])) / 2

    reconstructed = []
    for xi, qi, p in zip(x[first_q], q[first_q], pid[first_q]):
        v = g.values[0][g.flavours.index(p)]
        i = np.searchsorted(g.x_knots[0], xi, side="right") - 1
        d1 = lx[i + 1] - lx[i]
        t = (np.log(xi) - lx[i]) / d1
        row = [_hermite(t, v[i, k], dlogx(v, i, k) * d1, v[i + 1, k], dlogx(v, i + 1, k) * d1) for k in range(3)]
        tq = (np.log(qi * qi) - lq[0]) / stale_dq1
        vdl = (row[1] - row[0]) / stale_dq1
        vdh = (vdl + (row[2] - row[1]) / stale_dq2) / 2
        reconstructed.append(_hermite(tq, row[0], vdl * stale_dq1, row[1], vdh * stale_dq1))
    np.testing.assert_allclose(reconstructed, ref[first_q], rtol=1e-12, atol=1e-20)
    # ... and the correct interpolation differs from it (by up to 2 % for the gluon at large x).
    ours = pdf.xfxq_per_event(x[first_q], q[first_q], pid[first_q])
    gluon = pid[first_q] == 21
    assert np.max(np.abs(ours[gluon] / ref[first_q][gluon] - 1)) > 1e-2


def test_knot_values_are_reproduced_exactly(pdf):
    g = pdf.grid
    xk, qk = g.x_knots[0], g.q_knots[0]
    ix, iq = np.meshgrid(np.arange(len(xk)), np.arange(len(qk)), indexing="ij")
    out = pdf.xfxq(xk[ix.ravel()], qk[iq.ravel()], list(g.flavours))
    expected = np.stack([g.values[0][f][ix.ravel(), iq.ravel()] for f in range(len(g.flavours))], axis=1)
    np.testing.assert_array_equal(out, expected)


def test_pythia8mc_copy_is_found_and_identical(ref_set_dir, monkeypatch):
    try:
        importlib.metadata.distribution("pythia8mc")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("pythia8mc is not installed (pip install pythia8mc==8.317.2)")
    monkeypatch.delenv("LHAPDF_DATA_PATH", raising=False)
    monkeypatch.delenv("LHAPATH", raising=False)
    loc = find_pdf_set()
    assert loc.name == DEFAULT_PDF_SET == SET and loc.member == 0 and loc.lhaid == 247000
    assert loc.data_file.parent.name == "pdfdata" and loc.data_file.parent.parent.name == "Pythia8"
    assert loc.info_file is None
    assert filecmp.cmp(loc.data_file, ref_set_dir / f"{SET}_0000.dat", shallow=False)
    assert find_pdf_set(247000) == loc and find_pdf_set("247000") == loc and find_pdf_set("nn23lo1") == loc
    assert PDF().alphas_mz == 0.130  # from the set name: the wheel ships no .info


def test_lhapdf_data_path_comes_first(ref_set_dir, monkeypatch):
    monkeypatch.setenv("LHAPDF_DATA_PATH", f"/nonexistent/madnis{os.pathsep}{ref_set_dir.parent}")
    assert pdf_search_paths()[:2] == [Path("/nonexistent/madnis"), ref_set_dir.parent]
    loc = find_pdf_set(f"{SET}/0")
    assert loc.data_file == ref_set_dir / f"{SET}_0000.dat"
    assert loc.info_file == ref_set_dir / f"{SET}.info"
    p = PDF(SET)
    assert p.lhaid == 247000 and p.alphas_mz == 0.130 and p.info["SetIndex"] == 247000
    assert p.flavours == (-6, -5, -4, -3, -2, -1, 1, 2, 3, 4, 5, 6, 21, 22)
    assert (p.x_min, p.x_max, p.q_min, p.q_max) == (1e-9, 1.0, 1.0, 1e4)


def test_missing_set_is_a_clear_user_error(tmp_path, monkeypatch):
    monkeypatch.setenv("LHAPDF_DATA_PATH", str(tmp_path))
    with pytest.raises(PDFSetNotFoundError) as err:
        find_pdf_set("NoSuchSet_lo_as_0118")
    assert isinstance(err.value, UserError)
    msg = str(err.value)
    assert str(tmp_path) in msg and "NoSuchSet_lo_as_0118_0000.dat" in msg
    assert "LHAPDF_DATA_PATH" in msg and "pythia8mc" in msg
    for d in pdf_search_paths():
        assert str(d) in msg
    with pytest.raises(PDFSetNotFoundError, match="LHAPDF ID 999"):
        find_pdf_set(999)
    with pytest.raises(PDFSetNotFoundError):
        PDF("NoSuchSet_lo_as_0118")


# --- a synthetic grid: several subgrids, the <4-knot fallback, thresholds -------------------------------------

FLAVOURS = (-1, 2, 21)
X_KNOTS = np.geomspace(1e-5, 1.0, 12)
SUBGRIDS = (np.array([1.0, 1.3, 1.6, 2.0, 2.5]), np.array([2.5, 4.0]), np.array([4.0, 9.0, 30.0]),
            np.array([30.0, 60.0, 100.0, 300.0, 1000.0]))


def bilinear(s, f, x, q):
    """x f = a + b log x + c log Q^2 + d log x log Q^2, coefficients per flavour and per subgrid (so the function
    jumps at the thresholds); log-bicubic interpolation with finite-difference slopes reproduces it exactly."""
    a, b, c, d = 1.0 + 0.5 * s + 0.1 * f, -0.2 - 0.01 * f, 0.3 + 0.05 * s, 0.02 * (1 + s) - 0.001 * f
    lx, lq = np.log(x), np.log(q * q)
    return a + b * lx + c * lq + d * lx * lq


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> PDF:
    path = tmp_path_factory.mktemp("pdf") / "Synthetic_0000.dat"
    lines = ["PdfType: central", "Format: lhagrid1", "---"]
    for s, qk in enumerate(SUBGRIDS):
        lines += [" ".join(f"{v:.17e}" for v in X_KNOTS), " ".join(f"{v:.17e}" for v in qk),
                  " ".join(str(p) for p in FLAVOURS)]
        for xv in X_KNOTS:
            for qv in qk:
                lines.append(" ".join(f"{bilinear(s, f, xv, qv):.17e}" for f in range(len(FLAVOURS))))
        lines.append("---")
    path.write_text("\n".join(lines) + "\n")
    return PDF.from_file(path)


def test_synthetic_grid_is_read_as_written(synthetic):
    g = read_lhagrid1(synthetic.location.data_file)
    assert g.flavours == FLAVOURS and len(g.values) == 4
    assert [v.shape for v in g.values] == [(3, 12, len(qk)) for qk in SUBGRIDS]
    assert synthetic.subgrid_edges == (1.0, 2.5, 4.0, 30.0, 1000.0)


@pytest.mark.parametrize("s", range(4))
def test_every_subgrid_reproduces_a_bilinear_function(synthetic, s):
    qk = SUBGRIDS[s]
    rng = np.random.default_rng(s)
    x = np.exp(rng.uniform(np.log(X_KNOTS[0]), 0.0, 2000))
    q = np.exp(rng.uniform(np.log(qk[0]), np.log(qk[-1]), 2000))
    q = q[(q > qk[0]) & (q < qk[-1])] if s < 3 else q[q > qk[0]]
    x = x[: len(q)]
    got = synthetic.xfxq(x, q, list(FLAVOURS))
    expected = np.stack([bilinear(s, f, x, q) for f in range(3)], axis=1)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def test_threshold_knot_belongs_to_the_subgrid_above(synthetic):
    x = np.array([0.01, 0.01, 0.01])
    for s in (1, 2, 3):
        q_thr = SUBGRIDS[s][0]
        q = np.array([q_thr * (1 - 1e-9), q_thr, q_thr * (1 + 1e-9)])
        got = synthetic.xfxq(x, q, 21)
        np.testing.assert_allclose(got[0], bilinear(s - 1, 2, x[0], q_thr), rtol=1e-8)
        np.testing.assert_allclose(got[1:], bilinear(s, 2, x[0], q_thr), rtol=1e-8)


def test_too_few_x_knots_is_rejected(tmp_path):
    path = tmp_path / "Bad_0000.dat"
    rows = "\n".join("1.0" for _ in range(6))
    path.write_text(f"Format: lhagrid1\n---\n0.1 0.5 1.0\n1.0 2.0\n21\n{rows}\n---\n")
    with pytest.raises(ValueError, match="at least 4 x knots"):
        PDF.from_file(path)


# --- extrapolation (LHAPDF's ContinuationExtrapolator) ------------------------------------------------------

def _lin(u, ul, uh, yl, yh):
    w = (np.log(u) - np.log(ul)) / (np.log(uh) - np.log(ul))
    return np.where((yl > 1e-3) & (yh > 1e-3), np.exp(np.log(np.where(yl > 0, yl, 1)) + w * (
        np.log(np.where(yh > 0, yh, 1)) - np.log(np.where(yl > 0, yl, 1)))), yl + w * (yh - yl))


@pytest.mark.parametrize("pid", [21, 2, -1, 4, 22])
def test_extrapolation_follows_the_continuation_rules(pdf, pid):
    xk, qk = pdf.grid.x_knots[0], pdf.grid.q_knots[0]
    xmin, xmin1, q2min, q2max, q2max1 = xk[0], xk[1], qk[0] ** 2, qk[-1] ** 2, qk[-2] ** 2

    def f(x, q2):
        x, q2 = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(q2, dtype=float))
        return pdf.xfxq(np.atleast_1d(x), np.sqrt(np.atleast_1d(q2)), pid)


    x = np.array([1e-12, 3e-11, 5e-10])
    q2 = np.array([4.0, 1e4, 9e7])
    np.testing.assert_allclose(f(x, q2), _lin(x, xmin, xmin1, f(xmin, q2), f(xmin1, q2)), rtol=1e-13)

    x = np.array([1e-4, 0.1, 0.7])
    q2 = np.array([2e8, 1e9, 1e12])
    np.testing.assert_allclose(f(x, q2), _lin(q2, q2max, q2max1, f(x, q2max), f(x, q2max1)),
                               rtol=1e-13)

    x, q2 = np.array([1e-11]), np.array([1e10])
    fx0 = _lin(q2, q2max, q2max1, f(xmin, q2max), f(xmin, q2max1))
    fx1 = _lin(q2, q2max, q2max1, f(xmin1, q2max), f(xmin1, q2max1))
    np.testing.assert_allclose(f(x, q2), _lin(x, xmin, xmin1, fx0, fx1), rtol=1e-13)

    x = np.array([1e-3, 0.2, 1e-11])
    q2 = np.array([0.5, 0.05, 0.3])
    fmin = np.where(x < xmin, _lin(x, xmin, xmin1, f(xmin, q2min), f(xmin1, q2min)), f(np.maximum(x, xmin), q2min))
    fmin1 = np.where(x < xmin, _lin(x, xmin, xmin1, f(xmin, 1.01 * q2min), f(xmin1, 1.01 * q2min)),
                     f(np.maximum(x, xmin), 1.01 * q2min))
    anom = np.where(np.abs(fmin) >= 1e-5, np.maximum(-2.5, (fmin1 - fmin) / np.where(fmin != 0, fmin, 1) / 0.01), 1.0)
    r = q2 / q2min
    np.testing.assert_allclose(f(x, q2), fmin * r ** (anom * r + 1.0 - r), rtol=1e-13, atol=1e-300)


def test_extrapolation_is_continuous_at_the_grid_boundary(pdf):
    eps = 1e-9
    for x_in, x_out, q_in, q_out in [(1e-9, 1e-9 * (1 - eps), 50.0, 50.0), (0.3, 0.3, 1e4, 1e4 * (1 + eps)),
                                     (0.3, 0.3, 1.0, 1.0 - eps)]:
        a = pdf.xfxq([x_in], [q_in], [21, 2, -3])
        b = pdf.xfxq([x_out], [q_out], [21, 2, -3])
        np.testing.assert_allclose(b, a, rtol=1e-6)


# --- flavours, beams, batching ------------------------------------------------------------------------------

def test_flavour_conventions_and_shapes(pdf):
    rng = np.random.default_rng(3)
    x = np.exp(rng.uniform(np.log(1e-6), 0, 1000))
    q = np.exp(rng.uniform(0, np.log(1e4), 1000))
    all_ = pdf.xfxq(x, q, [21, 0, 2, -2, 11, 6])
    assert all_.shape == (1000, 6)
    np.testing.assert_array_equal(all_[:, 0], all_[:, 1])  # 0 is the gluon, as in LHAPDF
    np.testing.assert_array_equal(all_[:, 4], 0.0)  # a flavour the set lacks
    np.testing.assert_array_equal(pdf.xfxq(x, q, 2), all_[:, 2])
    pid = rng.choice([21, 2, -2, 6], size=1000).astype(np.int32)
    per_event = pdf.xfxq_per_event(x, q, pid)
    cols = {21: 0, 2: 2, -2: 3, 6: 5}
    np.testing.assert_array_equal(per_event, all_[np.arange(1000), [cols[p] for p in pid]])


def test_two_beam_densities(pdf):
    rng = np.random.default_rng(4)
    x1, x2 = rng.uniform(1e-4, 0.9, (2, 500))
    mu = rng.uniform(5, 3000, 500)
    pairs1, pairs2 = [21, 2, -1, 1], [21, -2, 1, 22]
    lumi = pdf.f1f2(x1, x2, mu, pairs1, pairs2)
    xf1, xf2 = pdf.xfxq(x1, mu, pairs1), pdf.xfxq(x2, mu, pairs2)
    np.testing.assert_allclose(lumi, xf1 * xf2 / (x1 * x2)[:, None], rtol=1e-15)
    np.testing.assert_allclose(pdf.f1f2(x1, x2, mu, 2, -2), lumi[:, 1], rtol=1e-15)
    pbar = pdf.f1f2(x1, x2, mu, pairs1, pairs2, lpp=(1, -1))  # p pbar: beam-2 quarks conjugated, g and photon not
    np.testing.assert_allclose(pbar, xf1 * pdf.xfxq(x2, mu, [21, 2, -1, 22]) / (x1 * x2)[:, None], rtol=1e-15)
    lepton = pdf.f1f2(x1, np.ones(500), mu, 21, 11, lpp=(1, 0))
    np.testing.assert_allclose(lepton, xf1[:, 0] / x1, rtol=1e-15)


def test_threads_give_identical_results(pdf):
    from madnis_py.core import _core

    rng = np.random.default_rng(5)
    x = np.exp(rng.uniform(np.log(1e-7), 0, 20000))
    q = np.exp(rng.uniform(0, np.log(1e4), 20000))
    before = _core.num_threads()
    try:
        _core.set_num_threads(1)
        one = pdf.xfxq(x, q, [21, 1, -1])
        _core.set_num_threads(4)
        four = pdf.xfxq(x, q, [21, 1, -1])
    finally:
        _core.set_num_threads(before)
    np.testing.assert_array_equal(one, four)


def test_bad_arguments_are_rejected(pdf):
    with pytest.raises(ValueError, match="momentum fractions"):
        pdf.xfxq([0.1, 0.0], [10.0, 10.0], 21)
    with pytest.raises(ValueError, match="momentum fractions"):
        pdf.xfxq([1.5], [10.0], 21)
    with pytest.raises(ValueError, match="scale"):
        pdf.xfxq([0.1], [np.nan], 21)
    with pytest.raises(ValueError, match="expected 2 entries"):
        pdf.xfxq([0.1, 0.2], [10.0], 21)
    with pytest.raises(TypeError):
        pdf.xfxq([0.1], [10.0], 2.5)
    with pytest.raises(ValueError, match="equal length"):
        pdf.f1f2([0.1], [0.1], [10.0], [21, 2], [21])


@pytest.mark.parametrize("name,n_subgrids", [("NNPDF31_lo_as_0130", 2), ("CT14qed_proton", 1),
                                              ("GKG18_DPDF_FitA_LO", 4)])
def test_other_sets_from_pythia8mc(name, n_subgrids, monkeypatch):
    """Multi-subgrid sets (flavour thresholds; GKG18's first subgrid has 6 Q knots), and CT14qed, whose file
    repeats its first x knot and writes some numbers without a separating space (LHAPDF reads it)."""
    monkeypatch.delenv("LHAPDF_DATA_PATH", raising=False)
    monkeypatch.delenv("LHAPATH", raising=False)
    try:
        pdf = PDF(name)
    except PDFSetNotFoundError:
        pytest.skip(f"{name} not found: it ships with pythia8mc==8.317.2")
    assert len(pdf.subgrid_edges) == n_subgrids + 1
    rng = np.random.default_rng(6)
    x = np.exp(rng.uniform(np.log(1e-7), np.log(pdf.x_max), 5000))  # CT14qed repeats its first x knot
    q = np.exp(rng.uniform(np.log(pdf.q_min), np.log(pdf.q_max), 5000))
    values = pdf.xfxq(x, q, list(pdf.flavours))
    assert np.all(np.isfinite(values))
    if name == "NNPDF31_lo_as_0130":  # bottom threshold at the second subgrid's first knot, 4.92 GeV
        below = q < pdf.subgrid_edges[1]
        xb = values[:, pdf.flavours.index(5)]
        assert below.any() and np.max(np.abs(xb[below])) < 1e-6 < 1e-3 < np.max(xb[~below])


def test_torch_tensors_are_accepted(pdf):
    torch = pytest.importorskip("torch")
    x = torch.tensor([1e-3, 0.1, 0.5], dtype=torch.float64)
    q = torch.tensor([10.0, 100.0, 1000.0], dtype=torch.float64)
    out = pdf.to("cpu").xfxq(x, q, [21, 2])
    assert isinstance(out, torch.Tensor) and out.shape == (3, 2)
    np.testing.assert_array_equal(out.numpy(), pdf.xfxq(x.numpy(), q.numpy(), [21, 2]))
    lumi = pdf.f1f2(x, x.flip(0), q, 21, 21)
    np.testing.assert_array_equal(lumi.numpy(), pdf.f1f2(x.numpy(), x.flip(0).numpy(), q.numpy(), 21, 21))
