"""Yaku's core: settings, database, models, spatial queries, quality rules, import and export.

This package imports neither FastAPI nor Celery; ``api``, ``worker`` and ``web`` are adapters on it.
"""
