"""Reading and writing geodata files (GeoJSON, CSV, GeoPackage) through GDAL via pyogrio."""
