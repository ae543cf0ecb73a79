"""Locates the shared reference data (MADNIS_REFDATA, default <project root>/../shared/refdata)."""

from __future__ import annotations

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
