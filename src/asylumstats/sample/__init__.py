"""The synthetic release generator: real layout, raw format, quirks and lookups, fake people.

Public API: :func:`generate_release` (see ``release.py`` for the quirk semantics).
"""

from asylumstats.sample.release import QUIRK_KINDS, generate_release

__all__ = ["QUIRK_KINDS", "generate_release"]
