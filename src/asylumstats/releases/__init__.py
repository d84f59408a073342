"""Releases over time: kept side by side (``store``), compared (``diff``), checked against
published figures (``validate``) and downloaded (``fetch``)."""
