"""The Celery application. Tasks have stable names; arguments are ids, never objects."""

from __future__ import annotations

from collections.abc import Sequence

from celery import Celery
from celery.schedules import crontab
from kombu import Exchange, Queue

from geodata import jobs
from geodata.settings import get_settings

TASK_MODULES = [
    "worker.tasks.system",
    "worker.tasks.reports",
    "worker.tasks.aggregate",
    "worker.tasks.evidence",
    "worker.tasks.publish",
    "worker.tasks.desk",
    "worker.tasks.inbound",
    "worker.tasks.dashboards",
    "worker.tasks.notify",
]


def create_celery() -> Celery:
    settings = get_settings()
    app = Celery("yaku", broker=str(settings.redis_url), backend=str(settings.redis_url))
    app.conf.update(
        include=TASK_MODULES,
        task_serializer="json",
        accept_content=["json"],
        result_serializer="json",
        result_expires=3600,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=4,
        broker_connection_retry_on_startup=True,
        broker_transport_options={"visibility_timeout": 300},
        timezone="UTC",
        # One queue per kind of work (geodata.jobs.ROUTES; README "Celery across hosts"):
        # `celery worker -Q validation` on one host, `-Q aggregation,publishing` on another...
        # A worker started without -Q consumes every queue listed here.
        task_queues=tuple(Queue(q, Exchange(q), routing_key=q) for q in jobs.QUEUES),
        task_default_queue=jobs.DEFAULT_QUEUE,
        task_routes=(jobs.route,),
        # Beat once per cluster: RedBeat keeps the schedule in Redis and holds a lock there
        # while it runs; a second beat (another host, a restart that overlapped) waits on the
        # lock instead of sending every task twice, and takes over when the lock expires.
        beat_scheduler="redbeat.RedBeatScheduler",
        redbeat_redis_url=str(settings.redis_url),
        redbeat_key_prefix="yaku:beat:",
        redbeat_lock_timeout=settings.beat_lock_seconds,
        beat_max_loop_interval=min(5, settings.beat_lock_seconds / 3),
        beat_schedule={
            # Re-enqueue reports left 'received' (Redis outage, killed worker): nothing is lost.
            "sweep-unprocessed-reports": {
                "task": jobs.SWEEP_REPORTS,
                "schedule": settings.sweep_every_seconds,
            },
            # Full recompute of statuses and district indicators; must equal the incremental one.
            "recompute-all-statuses": {"task": jobs.RECOMPUTE_ALL, "schedule": 600.0},
            "publish-downloads": {"task": jobs.PUBLISH_DOWNLOADS, "schedule": 900.0},
            # Reports no body acknowledged in time are marked and escalated to the ATM.
            "mark-overdue-reports": {"task": jobs.MARK_OVERDUE, "schedule": 600.0},
            # A location shared alone by WhatsApp becomes a report once its text is overdue.
            "settle-lone-locations": {"task": "inbound.settle_locations", "schedule": 60.0},
            # Dashboard figures of every area (weeks roll over, overdue reports grow old);
            # aggregation also asks for the districts it touched.
            "refresh-dashboards": {"task": jobs.REFRESH_ALL_DASHBOARDS, "schedule": 900.0},
            # Messaging: the daily digest to each body, "is it fixed?" questions, lost messages.
            "notify-digest": {
                "task": jobs.NOTIFY_DIGEST,
                "schedule": crontab(minute=0, hour=settings.notify_digest_hour_utc),
            },
            "notify-followups": {"task": jobs.NOTIFY_FOLLOWUPS, "schedule": 3600.0},
            "notify-sweep": {"task": jobs.NOTIFY_SWEEP, "schedule": 60.0},
        },
    )
    return app


celery_app = create_celery()


def send_jobs(committed: Sequence[jobs.Job]) -> None:
    """The worker's way of sending jobs buffered by its tasks' transactions (after commit)."""
    for job in committed:
        celery_app.send_task(job.name, args=list(job.args), ignore_result=True)


jobs.set_dispatcher(send_jobs)
