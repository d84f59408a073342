"""Placeholder: the rate command is registered here."""
