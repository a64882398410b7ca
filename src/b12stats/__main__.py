"""``python -m b12stats`` runs the CLI."""

import sys

from b12stats.cli import main

sys.exit(main())
