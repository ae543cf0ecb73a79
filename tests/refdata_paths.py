"""Locates the shared reference data (MADNIS_REFDATA, default <project root>/../shared/refdata)."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def refdata_dir() -> Path:
    return Path(os.environ.get("MADNIS_REFDATA", PROJECT_ROOT.parent / "shared" / "refdata"))


def refdata_file(*parts: str) -> Path:
    """Path of a reference file; skips the calling test with a clear message if it is absent."""
    path = refdata_dir().joinpath(*parts)
    if not path.is_file():
        pytest.skip(f"reference data {path} not found (set MADNIS_REFDATA to the refdata directory)")
    return path


def madgraph_cross_section(run_id: str) -> tuple[float, float]:
    """MadGraph's cross section and error (pb) of row ``run_id`` of xsec/references.csv (skips if absent)."""
    with open(refdata_file("xsec", "references.csv")) as fh:
        rows = list(csv.reader(line for line in fh if not line.startswith("#")))
    row = next(r for r in rows if r[0] == run_id)
    return float(row[5]), float(row[6])
