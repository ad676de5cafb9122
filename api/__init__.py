"""FastAPI adapter on the geodata core: routers, request/response schemas, dependencies."""
