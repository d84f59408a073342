"""Placeholder: the export command is registered here."""
