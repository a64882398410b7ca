"""Shared test fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO / "tests" / "reference"

os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture
def reference_dir() -> Path:
    """Folder holding R scripts and the reference numbers they wrote."""
    return REFERENCE
