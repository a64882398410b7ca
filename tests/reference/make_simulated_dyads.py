"""Write the simulated mother-infant dyad dataset used as a geepack reference.

Run from the repository root (numpy only, fixed seed, no b12stats import, so
the dataset does not depend on the code it checks)::

    python tests/reference/make_simulated_dyads.py

It writes ``tests/reference/geepack_data_simdyads.csv``: 48 clusters (e.g.
villages or health centres) of 2-9 dyads each, with milk B12 (pmol/L),
infant serum B12 (pmol/L), adequacy (infant B12 >= 220 pmol/L), maternal age
(years) and infant sex. A shared cluster effect on infant B12 makes
observations within a cluster correlated, which is what the GEE models are
for. ``tests/reference/geepack_reference.R`` then fits it with geepack.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20261122
N_CLUSTERS = 48
OUT = Path(__file__).resolve().parent / "geepack_data_simdyads.csv"


def make(seed: int = SEED) -> pd.DataFrame:
    """Return the simulated dyads (deterministic for a given seed)."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(2, 10, size=N_CLUSTERS)
    cluster = np.repeat(np.arange(1, N_CLUSTERS + 1), sizes)
    n = cluster.size
    u_milk = rng.normal(0.0, 0.25, N_CLUSTERS)[cluster - 1]
    u_inf = rng.normal(0.0, 0.20, N_CLUSTERS)[cluster - 1]
    milk = np.exp(np.log(300.0) + u_milk + rng.normal(0.0, 0.45, n))
    age = np.round(rng.normal(27.0, 5.0, n), 1)
    sex = rng.choice(np.array(["female", "male"]), size=n)
    log_inf = (
        np.log(260.0)
        + 0.30 * (np.log(milk) - np.log(300.0))
        + 0.01 * (age - 27.0)
        + u_inf
        + rng.normal(0.0, 0.35, n)
    )
    infant = np.exp(log_inf)
    return pd.DataFrame(
        {
            "cluster": cluster,
            "milk_b12": np.round(milk, 3),
            "infant_b12": np.round(infant, 3),
            "adequate": (np.round(infant, 3) >= 220.0).astype(int),
            "maternal_age": age,
            "infant_sex": sex,
        }
    )


if __name__ == "__main__":
    make().to_csv(OUT, index=False, lineterminator="\n")  # shortest repr round-trips
    print(f"wrote {OUT}")
