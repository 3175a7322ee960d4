"""ASGI entry point: ``uvicorn identity_check.main:app``."""

from identity_check.bootstrap import create_app

app = create_app()
