"""Official readings sent by operators and integrations (``POST /api/v1/readings``)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from api.schemas.reports import IdempotencyKey
from geodata.evidence.readings import MAX_READINGS, ReadingIn, RoundIn
from geodata.models import SamplePoint


class OperatorMeasurementIn(BaseModel):
    """A value (in the unit given, converted to the catalogue's when the catalogue allows it)
    or, for a bacteria test, presence/absence."""

    model_config = ConfigDict(extra="forbid")

    parameter: str = Field(min_length=1, max_length=40, examples=["free_chlorine"])
    value: float | None = Field(default=None, allow_inf_nan=False, examples=[0.8])
    unit: str | None = Field(default=None, max_length=40, examples=["mg/L"])
    present: bool | None = Field(default=None, description="Presence/absence tests (E. coli).")

    @model_validator(mode="after")
    def _has_reading(self) -> OperatorMeasurementIn:
        if self.value is None and self.present is None:
            raise ValueError("give a value or present")
        return self


class SampleIn(BaseModel):
    """One sample: where, when (ISO 8601; without a zone it is Peru's time), what was
    measured in it. Free chlorine is required except at the source."""

    model_config = ConfigDict(extra="forbid")

    sample_point: SamplePoint
    sampled_at: datetime
    measurements: list[OperatorMeasurementIn] = Field(min_length=1, max_length=10)


class RoundRequest(BaseModel):
    """A round of readings of one system, stored all or nothing."""

    model_config = ConfigDict(extra="forbid")

    system: str = Field(min_length=1, max_length=40, examples=["SIASAR-160421"])
    readings: list[SampleIn] = Field(min_length=1, max_length=MAX_READINGS)
    idempotency_key: IdempotencyKey | None = None

    def to_round(self, idempotency_key: str | None) -> RoundIn:
        return RoundIn(
            system_code=self.system.strip(),
            idempotency_key=idempotency_key or self.idempotency_key,
            readings=[
                ReadingIn(
                    sample_point=r.sample_point,
                    sampled_at=r.sampled_at,
                    measurements=[m.model_dump(exclude_none=True) for m in r.measurements],
                )
                for r in self.readings
            ],
        )
