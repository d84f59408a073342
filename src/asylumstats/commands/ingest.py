"""Placeholder: the ingest command is registered here."""
