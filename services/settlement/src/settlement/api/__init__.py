"""HTTP API: routers, request/response schemas, auth dependencies."""
