"""Folium map and HTML pages on the geodata core: templates, static assets, page routes."""
