"""ASGI entry point: ``uvicorn consent.main:app``."""

from consent.bootstrap import create_app

app = create_app()
