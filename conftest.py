"""Set-up shared by the examples in ``src/`` (doctests) and the tests.

Plot examples draw on the non-interactive Agg backend and find ``plt``
(``matplotlib.pyplot``) in their namespace, instead of each example
repeating those three lines.
"""

from __future__ import annotations

from typing import Any

import matplotlib
import pytest

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def _doctest_pyplot(doctest_namespace: dict[str, Any]) -> None:
    import matplotlib.pyplot as plt

    doctest_namespace["plt"] = plt
