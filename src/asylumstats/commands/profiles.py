"""Placeholder: the profiles command is registered here."""
