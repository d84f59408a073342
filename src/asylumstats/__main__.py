"""Allows ``python -m asylumstats``."""

from asylumstats.cli import main

main()
