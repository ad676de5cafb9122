"""Open data: OGC API - Features collections, their queries, downloads and metadata.

``collections`` defines what each public collection shows (and, by omission, what it never
shows: no reporter contact, fingerprint, device id or private photo path). ``features`` runs the
paged queries, ``exporters``/``wpdx`` write the download files and ``publish`` writes them all
atomically into the publish directory. Nothing here imports FastAPI or Celery.
"""
