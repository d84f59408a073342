"""Command modules: each registers its commands on ``asylumstats.cli.app`` when imported."""
