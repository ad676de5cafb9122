"""Placeholder router for the map and citizen pages; filled in by its issue."""

from fastapi import APIRouter

router = APIRouter()
