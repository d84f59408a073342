"""Placeholder: the sample command is registered here."""
