"""The report a citizen sends: JSON, or the same fields as multipart with a photo."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from geodata.models import ReportCategory, SamplePoint

IDEMPOTENCY_KEY_PATTERN = r"^[A-Za-z0-9._:\-]{8,100}$"
IdempotencyKey = Annotated[str, Field(pattern=IDEMPOTENCY_KEY_PATTERN)]
# Control characters other than tab and line breaks: invisible, not storable (NUL) or not
# writable in XML (U+000B...). NUL is refused; the others are dropped from free text.
_CONTROL = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean_text(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return _CONTROL.sub("", value)


NO_NUL = "^[^\\x00]*$"
Text = Annotated[str, StringConstraints(pattern=NO_NUL), AfterValidator(_clean_text)]
# A code written on a tank or read off the map: at least one visible character, no control
# characters (refused, not dropped: a code is matched as it is written).
CODE_PATTERN = "^[^\\x00-\\x1f\\x7f]*[^\\x00-\\x20\\x7f][^\\x00-\\x1f\\x7f]*$"
Code = Annotated[str, StringConstraints(pattern=CODE_PATTERN)]


class LocationIn(BaseModel):
    """Either coordinates (WGS84, lon/lat order) or the code of a known system or source."""

    # The rule of ``_one_way``, stated in the document too (for clients and the fuzzer).
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "oneOf": [
                {
                    "required": ["lon", "lat"],
                    "properties": {
                        "lon": {"type": "number"},
                        "lat": {"type": "number"},
                        "code": {"type": "null"},
                    },
                },
                {
                    "required": ["code"],
                    "properties": {
                        "code": {"type": "string"},
                        "lon": {"type": "null"},
                        "lat": {"type": "null"},
                    },
                },
            ]
        },
    )

    lon: float | None = Field(default=None, ge=-180, le=180, allow_inf_nan=False)
    lat: float | None = Field(default=None, ge=-90, le=90, allow_inf_nan=False)
    code: Code | None = Field(default=None, min_length=1, max_length=40)

    @model_validator(mode="after")
    def _one_way(self) -> LocationIn:
        has_point = self.lon is not None and self.lat is not None
        has_half_point = (self.lon is None) != (self.lat is None)
        if has_half_point or has_point == (self.code is not None):
            raise ValueError("give either lon and lat, or a system/source code")
        return self


class MeasurementIn(BaseModel):
    """One reading: a value in the catalogue's unit, or presence/absence for bacteria tests."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            # a whole reading as the example (the fields' own examples alone make none)
            "examples": [{"parameter": "free_chlorine", "value": 0.2, "unit": "mg/L"}],
            "anyOf": [
                {"required": ["value"], "properties": {"value": {"type": "number"}}},
                {"required": ["present"], "properties": {"present": {"type": "boolean"}}},
            ],
        },
    )

    parameter: Text = Field(min_length=1, max_length=40, examples=["free_chlorine"])
    value: float | None = Field(default=None, allow_inf_nan=False, examples=[0.2])
    unit: Text | None = Field(default=None, max_length=40, examples=["mg/L"])
    present: bool | None = Field(default=None, description="Presence/absence tests (E. coli).")
    method: Literal["kit", "sense"] = "kit"
    sample_point: SamplePoint | None = None

    @model_validator(mode="after")
    def _has_reading(self) -> MeasurementIn:
        if self.value is None and self.present is None:
            raise ValueError("give a value or present")
        return self


class ReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    location: LocationIn
    category: ReportCategory
    description: Text = Field(default="", max_length=4000)
    measurements: list[MeasurementIn] = Field(default_factory=list, max_length=20)
    contact: Text | None = Field(
        default=None, max_length=200, description="Private: seen only by the responsible body."
    )
    device_id: Text | None = Field(
        default=None, max_length=200, description="Private; only its salted hash is kept."
    )
    notify: bool = Field(
        default=False,
        description="The reporter agrees to be told at ``contact`` how the report goes.",
    )
    language: Literal["es", "en", "qu"] | None = None
    idempotency_key: IdempotencyKey | None = None

    def measurement_dicts(self) -> list[dict[str, Any]]:
        return [m.model_dump(mode="json", exclude_none=True) for m in self.measurements]


class ReportAccepted(BaseModel):
    tracking_code: str
    status: str
    received_at: str
    url: str
