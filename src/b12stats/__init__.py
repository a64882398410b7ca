"""b12stats: reanalyse published vitamin B12 summaries in mothers, milk and infants.

The package is organised so that data flows one way::

    data -> stats -> audit / simulate -> models -> power -> plots -> report -> cli

Import the pieces you need, e.g. ``from b12stats.data import load_table``.
Heavy submodules (statsmodels, matplotlib) are imported lazily by the modules
that need them, so ``import b12stats`` stays cheap.
"""

from b12stats._version import __version__
from b12stats.errors import B12StatsError, DataValidationError, OptionError

__all__ = ["B12StatsError", "DataValidationError", "OptionError", "__version__"]
