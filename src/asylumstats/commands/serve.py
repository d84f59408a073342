"""Placeholder: the serve command is registered here."""
