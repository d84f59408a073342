"""Open an EOIR release (zip or folder) and find its tables, lookups and ``Count.txt``."""

from asylumstats.release.archive import Archive, open_archive
from asylumstats.release.layout import Release, open_release, parse_count_txt, parse_release_date

__all__ = [
    "Archive",
    "Release",
    "open_archive",
    "open_release",
    "parse_count_txt",
    "parse_release_date",
]
