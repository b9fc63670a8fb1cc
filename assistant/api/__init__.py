"""FastAPI channel: JSON API, SSE streaming, the full-page chat and the embeddable widget."""

from assistant.api.app import create_app

__all__ = ["create_app"]
