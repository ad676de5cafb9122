"""Celery adapter on the geodata core: the app, its tasks and the beat schedule."""
