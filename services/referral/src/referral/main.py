"""ASGI entry point: ``uvicorn referral.main:app``."""

from referral.bootstrap import create_app

app = create_app()
