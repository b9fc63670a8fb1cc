"""Drafting: request parsing → outline per document type → sections from evidence → verify → export."""
