"""The worker registers the messaging tasks under their stable names, and beat runs the
digest (daily), the follow-ups and the sweep."""

from __future__ import annotations

from celery.schedules import crontab

from geodata import jobs
from geodata.settings import get_settings
from worker.app import celery_app


def test_tasks_have_stable_names_and_beat_runs_the_periodic_ones() -> None:
    celery_app.loader.import_default_modules()
    for name in (
        jobs.NOTIFY_DELIVER,
        jobs.NOTIFY_REPORTS,
        jobs.NOTIFY_STATUS_CHANGES,
        jobs.NOTIFY_DIGEST,
        jobs.NOTIFY_FOLLOWUPS,
        jobs.NOTIFY_SWEEP,
    ):
        assert name in celery_app.tasks, name
    schedule = {
        entry["task"]: entry["schedule"] for entry in celery_app.conf.beat_schedule.values()
    }
    digest = schedule[jobs.NOTIFY_DIGEST]
    assert isinstance(digest, crontab)
    assert digest.hour == {get_settings().notify_digest_hour_utc} and digest.minute == {0}
    assert schedule[jobs.NOTIFY_FOLLOWUPS] == 3600.0 and schedule[jobs.NOTIFY_SWEEP] == 60.0
    assert jobs.NOTIFY_REPORTS in jobs.BATCHED and jobs.NOTIFY_DELIVER not in jobs.BATCHED
