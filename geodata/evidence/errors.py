"""Errors of official evidence (rendered by the API's single AppError handler)."""

from __future__ import annotations

from typing import Any

from geodata.errors import AppError, Conflict, InvalidInput, NotFound
from geodata.i18n import translate
from geodata.io.rows import RowError


class SystemNotFound(NotFound):
    """Unknown, or outside the account's scope: the same answer, so that staff of one body
    cannot learn which systems another body runs."""

    code = "system_not_found"
    message = "No water system with code '{code}' on your desk."


class ReadingRefused(AppError):
    """One reading of a round is implausible or malformed; nothing of the round is stored."""

    status_code = 422
    code = "reading_refused"
    message = "Reading {index}: {reason}"

    def __init__(self, index: int, msgid: str, **params: Any) -> None:
        super().__init__(index=index, reason=msgid.format(**params))
        self.reason_msgid = msgid
        self.reason_params = params

    def localized(self, language: str) -> str:
        reason = translate(self.reason_msgid, language).format(**self.reason_params)
        return translate(self.text, language).format(index=self.params["index"], reason=reason)


class ReadingAlreadyRecorded(Conflict):
    code = "reading_already_recorded"
    message = (
        "Reading {index}: {parameter} of this system, sample point and time is already recorded "
        "with another value ({value})."
    )


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key_reused"
    message = "This idempotency key was already used for a different round of readings."


class FileRefused(InvalidInput):
    """A file with bad rows: every row error, each with its line and reason; nothing loaded."""

    status_code = 422
    code = "file_refused"
    message = "{count} rows have errors; nothing was loaded."

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(count=len(errors))
        self.errors = errors

    def rendered_rows(self, language: str) -> list[str]:
        return [e.render(language) for e in self.errors]


class UnreadableSheet(InvalidInput):
    code = "unreadable_file"
    message = "The file cannot be read as CSV or XLSX ({reason}); save it again as CSV or XLSX."


class OldExcelFile(InvalidInput):
    code = "old_excel_file"
    message = "Old Excel files (.xls) cannot be read; save it as XLSX or CSV."


class EmptySheet(InvalidInput):
    code = "empty_file"
    message = "The file has no data rows."


class MissingColumns(InvalidInput):
    code = "missing_columns"
    message = "The file lacks the column(s) {columns}; the first row must name the columns."
