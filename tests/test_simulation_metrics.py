"""tail_share against hand counts and the binomial SE closed form."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from b12stats.errors import OptionError
from b12stats.stats.simulation_metrics import tail_share

#: A closed form evaluated in floating point.
CLOSED_FORM_RTOL = 1e-12


def test_tail_share_counts_ties_by_side_and_skips_nan():
    v = [0.01, 0.03, 0.03, 0.5, np.nan]
    at_or_above = tail_share(v, 0.03).iloc[0]
    assert at_or_above["n"] == 4 and at_or_above["n_missing"] == 1
    assert_allclose(at_or_above["estimate"], 3 / 4, rtol=CLOSED_FORM_RTOL)
    assert_allclose(at_or_above["mcse"], np.sqrt(0.75 * 0.25 / 4), rtol=CLOSED_FORM_RTOL)
    assert_allclose(tail_share(v, 0.03, side="above")["estimate"], 1 / 4)
    assert_allclose(tail_share(v, 0.03, side="below")["estimate"], 1 / 4)
    assert_allclose(tail_share(v, 0.03, side="at_or_below")["estimate"], 3 / 4)


def test_tail_share_empty_and_bad_side():
    assert np.isnan(tail_share([np.nan], 0.1)["estimate"].iloc[0])
    with pytest.raises(OptionError, match="side must be one of"):
        tail_share([0.1], 0.1, side="beyond")
