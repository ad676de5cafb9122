"""The ``yaku`` command line: migrate, seed, import, staff accounts, and run the whole service."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from geodata import migrate
from geodata.database import session_scope
from geodata.settings import get_settings


def cmd_migrate(args: argparse.Namespace) -> int:
    settings = get_settings()
    migrate.upgrade(settings.sqlalchemy_url, args.revision)
    print(f"database migrated to {args.revision}")
    return 0


def cmd_seed(args: argparse.Namespace) -> int:
    from geodata.seed import seed_all
    from geodata.seed.provenance import MissingSourceFile

    shared_dir = Path(args.shared_dir) if args.shared_dir else get_settings().shared_dir
    try:
        with session_scope() as session:
            report = seed_all(session, shared_dir)
    except MissingSourceFile as exc:
        print(f"yaku seed: {exc}", file=sys.stderr)
        return 2
    print(f"seeded from {shared_dir}: {report}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from geodata.io.importer import ImportFailed, import_file

    try:
        with session_scope() as session:
            result = import_file(
                session,
                Path(args.path),
                kind=args.kind,
                skip_bad=args.skip_bad,
                layer=args.layer,
                licence=args.licence,
                attribution=args.attribution,
            )
    except ImportFailed as exc:
        print(exc.render(args.lang), file=sys.stderr)
        return 1
    print(result.render(args.lang))
    return 0


def cmd_import_readings(args: argparse.Namespace) -> int:
    """An operator's logbook (CSV/XLSX): every bad row with its line; nothing loaded unless
    --skip-bad; a second import of the same file changes nothing."""
    from geodata.errors import AppError
    from geodata.evidence.errors import FileRefused
    from geodata.evidence.logbook import import_readings, render, render_refusal

    path = Path(args.path)
    if not path.is_file():
        print(f"yaku import-readings: {path}: no such file", file=sys.stderr)
        return 2
    try:
        with session_scope() as session:
            delivery = import_readings(session, path, skip_bad=args.skip_bad)
    except FileRefused as exc:
        print(render_refusal(exc, args.lang), file=sys.stderr)
        return 1
    except AppError as exc:
        print(exc.localized(args.lang), file=sys.stderr)
        return 1
    if delivery.systems:  # the colours follow at once, without waiting for a worker
        from geodata.reports.aggregation import aggregate_for_subjects

        with session_scope() as session:
            aggregate_for_subjects(session, delivery.systems)
    print(render(delivery, args.lang))
    return 0


def cmd_recompute(args: argparse.Namespace) -> int:
    """Full recompute of statuses and district indicators (what beat runs on a schedule)."""
    from geodata.dashboards.refresh import refresh as refresh_dashboards
    from geodata.reports.aggregation import recompute_all

    with session_scope() as session:
        result = recompute_all(session)
        refresh_dashboards(session)
    changed = len(result.changed_systems) + len(result.changed_sources)
    print(f"statuses recomputed: {changed} changed")
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    """Write the open-data downloads and metadata into the publish directory."""
    from geodata.opendata.publish import publish_downloads
    from geodata.storage import publish_store

    settings = get_settings()
    with session_scope() as session:
        result = publish_downloads(
            session, settings.publish_dir, settings.base_url, store=publish_store()
        )
    print(
        f"published into {result.directory}: {len(result.written)} files written, "
        f"{len(result.unchanged)} unchanged"
    )
    return 0


def cmd_erase_contact(args: argparse.Namespace) -> int:
    """Forget a phone or e-mail everywhere it is kept; the reports stay, anonymous."""
    from geodata.accounts.errors import InvalidIdentifier
    from geodata.inbound.erasure import erase_contact

    try:
        with session_scope() as session:
            erasure = erase_contact(session, args.contact)
    except InvalidIdentifier as exc:
        print(f"yaku erase-contact: {exc.localized(args.lang)}", file=sys.stderr)
        return 2
    print(erasure.render())
    return 0


def _spawn(argv: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(argv, start_new_session=True)


def cmd_up(args: argparse.Namespace) -> int:
    """Migrate, seed, then run API, worker and beat in the foreground until interrupted."""
    settings = get_settings()
    steps = (
        lambda: cmd_migrate(argparse.Namespace(revision="head")),
        lambda: cmd_seed(argparse.Namespace(shared_dir=args.shared_dir)),
        lambda: cmd_recompute(args),
        lambda: cmd_publish(args),
    )
    if any(step() for step in steps):
        return 1
    python = sys.executable
    state_dir = settings.publish_dir.parent
    for directory in (state_dir, settings.publish_dir, settings.media_dir):
        directory.mkdir(parents=True, exist_ok=True)
    processes = {
        "api": _spawn(
            [
                python,
                "-m",
                "uvicorn",
                "api.main:app",
                "--host",
                settings.host,
                "--port",
                str(settings.port),
                "--workers",
                str(args.api_workers),
                "--no-access-log",
            ]
        ),
        "worker": _spawn(
            [
                python,
                "-m",
                "celery",
                "-A",
                "worker.app:celery_app",
                "worker",
                "--loglevel",
                "INFO",
                "--concurrency",
                str(args.worker_concurrency),
                "--hostname",
                f"yaku-worker-{os.getpid()}@%h",
            ]
        ),
        "beat": _spawn(
            [
                python,
                "-m",
                "celery",
                "-A",
                "worker.app:celery_app",
                "beat",
                "--loglevel",
                "INFO",
                "--schedule",
                str(state_dir / "celerybeat-schedule"),
            ]
        ),
    }
    print(
        f"Yaku is running at {settings.base_url}/  (Ctrl-C stops API, worker and beat)", flush=True
    )
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    exit_code = 0
    while not stopping:
        for name, proc in processes.items():
            if proc.poll() is not None:
                print(f"yaku up: {name} exited with {proc.returncode}; stopping", file=sys.stderr)
                stopping, exit_code = True, 1
        time.sleep(0.5)
    for proc in processes.values():
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in processes.values():
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    return exit_code


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="yaku", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("migrate", help="apply database migrations")
    p.add_argument("revision", nargs="?", default="head")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("seed", help="load the La Libertad data (idempotent)")
    p.add_argument("--shared-dir", help="directory with the public data (default: ../shared)")
    p.set_defaults(func=cmd_seed)

    p = sub.add_parser("import", help="load your own sources or systems from CSV/GeoJSON/GPKG")
    p.add_argument("path")
    p.add_argument("--kind", choices=["systems", "sources"], help="default: guessed from columns")
    p.add_argument("--layer", help="layer name of a multi-layer file such as a GeoPackage")
    p.add_argument("--skip-bad", action="store_true", help="load the good rows, report the bad")
    p.add_argument("--licence", default="CC BY 4.0")
    p.add_argument("--attribution", default="")
    p.add_argument("--lang", default="es", choices=["es", "en"])
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("import-readings", help="load an operator's logbook (CSV/XLSX)")
    p.add_argument("path")
    p.add_argument("--skip-bad", action="store_true", help="load the good rows, report the bad")
    p.add_argument("--lang", default="es", choices=["es", "en"])
    p.set_defaults(func=cmd_import_readings)

    p = sub.add_parser("recompute", help="recompute every status and district indicator")
    p.set_defaults(func=cmd_recompute)

    p = sub.add_parser("publish", help="write the open-data downloads")
    p.set_defaults(func=cmd_publish)

    p = sub.add_parser(
        "erase-contact", help="erase a phone number or e-mail address everywhere it is kept"
    )
    p.add_argument("contact", help="a phone (987 654 321, +51987654321) or an e-mail address")
    p.add_argument("--lang", default="es", choices=["es", "en"])
    p.set_defaults(func=cmd_erase_contact)

    p = sub.add_parser("up", help="migrate, seed and run API, worker and beat")
    p.add_argument("--shared-dir")
    p.add_argument("--api-workers", type=int, default=2)
    p.add_argument("--worker-concurrency", type=int, default=2)
    p.set_defaults(func=cmd_up)

    from geodata.cli_users import add_parser as add_users_parser

    add_users_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
