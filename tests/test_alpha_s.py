"""alpha_s with MadGraph's running, against MadGraph's own numbers.

Reference: ../shared/refdata/pdf/mg5_alphas_reference.csv, ALPHAS(Q) of MadGraph5's Source/alfas_functions.f
(alpha_s(MZ) = 0.130 and 0.118, 1 and 2 loops, Q = 1 GeV .. 5 TeV). Tolerance 1e-6 relative on every row; the
same NEWTON1 iteration reproduces them to the last bit.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from madnis_py.alpha_s import BMASS, CMASS, MZ, AlphaS, alpha_s


@pytest.fixture(scope="module")
def reference():
    default = Path(__file__).resolve().parents[1] / ".." / "shared" / "refdata"
    path = Path(os.environ.get("MADNIS_REFDATA", default)) / "pdf" / "mg5_alphas_reference.csv"
    if not path.is_file():
        pytest.skip(f"MadGraph alpha_s reference {path} not found: set MADNIS_REFDATA to the shared refdata directory")
    return np.loadtxt(path, delimiter=",", comments="#")


def test_madgraph_reference_all_rows(reference):
    assert len(reference) == 64
    for nloop in (1, 2):
        for asmz in (0.118, 0.130):
            rows = reference[(reference[:, 0] == nloop) & np.isclose(reference[:, 1], asmz)]
            assert len(rows) == 16
            np.testing.assert_allclose(alpha_s(rows[:, 2], asmz, nloop), rows[:, 3], rtol=1e-6, atol=0)


@pytest.mark.parametrize("nloop", [1, 2, 3])
def test_value_at_mz_and_continuity_at_thresholds(nloop):
    a = AlphaS(0.130, nloop)
    assert a(MZ) == 0.130
    for m in (CMASS, BMASS):
        below, at = a(np.array([m * (1 - 1e-12), m]))
        assert abs(below / at - 1) < 1e-9
    q = np.geomspace(1.0, 1e4, 200)
    assert np.all(np.diff(a(q)) < 0)  # asymptotic freedom


def test_for_pdf_and_errors(reference):
    from madnis_py.pdf import PDF

    grid = Path(os.environ.get("MADNIS_REFDATA", Path(__file__).resolve().parents[1] / ".." / "shared" / "refdata"))
    pdf = PDF.from_file(grid / "pdf" / "NNPDF23_lo_as_0130_qed" / "NNPDF23_lo_as_0130_qed_0000.dat")
    assert AlphaS.for_pdf(pdf) == AlphaS(0.130, 2)  # MadGraph's nn23lo1 choice
    with pytest.raises(ValueError, match="nloop"):
        AlphaS(0.118, 4)
    with pytest.raises(ValueError, match="positive"):
        AlphaS(0.0)
    with pytest.raises(ValueError, match="positive scale"):
        alpha_s(np.array([91.0, 0.0]), 0.118)
    assert isinstance(alpha_s(91.188, 0.118), float)
