"""Corpus layer: load files, normalise Vietnamese text, detect metadata, parse structure into chunks."""
