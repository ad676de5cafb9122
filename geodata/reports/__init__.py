"""Citizen reports: intake, validation, quality classification, routing and status aggregation.

Everything here takes a ``Session``, flushes and returns values; the API and worker commit.
"""
