"""Placeholder: the appeals command is registered here."""
