"""ASGI entry point: ``uvicorn settlement.main:app``."""

from settlement.bootstrap import create_app

app = create_app()
