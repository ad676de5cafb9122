"""Request and response schemas of the API (pydantic); the domain lives in ``geodata``."""
