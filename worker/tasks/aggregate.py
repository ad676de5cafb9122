"""Placeholder task module; filled in by its issue."""
