"""ASGI entry point: ``uvicorn emergency_fund.main:app``."""

from emergency_fund.bootstrap import create_app

app = create_app()
