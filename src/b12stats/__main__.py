"""``python -m b12stats`` runs the CLI."""

import sys

from b12stats.cli import main

if __name__ == "__main__":  # importing the module (Sphinx' autosummary does) runs nothing
    sys.exit(main())
