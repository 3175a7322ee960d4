"""Database tables and repositories, HTTP clients."""
