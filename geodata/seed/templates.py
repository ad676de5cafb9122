"""The default response templates, in plain Spanish (and English), shipped with ``yaku seed``.

FixMyStreet's suggested set: received, scheduled for inspection, not our responsibility,
scheduled for repair, work underway, unable to fix, re-opened, resolved. A body that edits one
gets its own copy with the same key (``geodata.desk.templates``); these rows stay the default.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from geodata.models import ReportStatus, ResponseTemplate


@dataclass(frozen=True, slots=True)
class Default:
    key: str
    status: ReportStatus | None
    es: tuple[str, str]  # title, text
    en: tuple[str, str]


DEFAULTS: tuple[Default, ...] = (
    Default(
        "received",
        ReportStatus.ACKNOWLEDGED,
        (
            "Recibido",
            "Recibimos su reporte y ya lo estamos revisando. Le contaremos aquí lo que hagamos.",
        ),
        (
            "Received",
            "We have received your report and are looking into it. We will post here what we do.",
        ),
    ),
    Default(
        "inspection_scheduled",
        ReportStatus.ACKNOWLEDGED,
        (
            "Inspección programada",
            "Vamos a ir a revisar el problema en los próximos días.",
        ),
        ("Inspection scheduled", "We will go and check the problem in the next few days."),
    ),
    Default(
        "not_responsible",
        None,
        (
            "No nos corresponde",
            "Este problema no está a nuestro cargo. Pasamos su reporte a quien le corresponde.",
        ),
        (
            "Not our responsibility",
            "This problem is not ours to fix. We have passed your report to the body in charge.",
        ),
    ),
    Default(
        "repair_scheduled",
        ReportStatus.IN_PROGRESS,
        (
            "Reparación programada",
            "Ya programamos la reparación. Le avisaremos aquí cuando esté hecha.",
        ),
        ("Repair scheduled", "The repair is scheduled. We will tell you here when it is done."),
    ),
    Default(
        "in_repair",
        ReportStatus.IN_PROGRESS,
        ("En reparación", "Estamos reparando el problema en este momento."),
        ("Work underway", "We are fixing the problem right now."),
    ),
    Default(
        "cannot_repair",
        None,
        (
            "No se puede reparar",
            "Por ahora no podemos reparar este problema, por este motivo: ",
        ),
        ("Unable to fix", "For now we cannot fix this problem, for this reason: "),
    ),
    Default(
        "reopened",
        ReportStatus.ACKNOWLEDGED,
        (
            "Reabierto",
            "Volvimos a abrir este reporte porque el problema sigue. Lo estamos revisando.",
        ),
        ("Re-opened", "We have re-opened this report because the problem is still there."),
    ),
    Default(
        "resolved",
        ReportStatus.RESOLVED,
        (
            "Resuelto",
            "El problema ya está resuelto. Si vuelve a pasar, repórtelo otra vez.",
        ),
        ("Resolved", "The problem is solved. If it happens again, please report it again."),
    ),
)


def load_response_templates(session: Session) -> int:
    """Insert the missing defaults and refresh changed ones; bodies' copies are untouched.
    Returns how many rows were written (0 on a second run)."""
    existing = {
        (t.key, t.language): t
        for t in session.scalars(
            select(ResponseTemplate).where(ResponseTemplate.provider_id.is_(None))
        )
    }
    written = 0
    for default in DEFAULTS:
        for language, (title, body) in (("es", default.es), ("en", default.en)):
            row = existing.get((default.key, language))
            if row is None:
                session.add(
                    ResponseTemplate(
                        provider_id=None,
                        key=default.key,
                        language=language,
                        status=default.status,
                        title=title,
                        body=body,
                    )
                )
                written += 1
            elif (row.status, row.title, row.body) != (default.status, title, body):
                row.status, row.title, row.body = default.status, title, body
                written += 1
    session.flush()
    return written
