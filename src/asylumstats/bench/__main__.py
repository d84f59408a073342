"""Allows ``python -m asylumstats.bench`` (what ``make bench`` runs)."""

import sys

from asylumstats.bench.runner import main

sys.exit(main())
