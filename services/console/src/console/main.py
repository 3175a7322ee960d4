"""``uvicorn console.main:app``"""

from console.app import create_app

app = create_app()
