"""All ORM models; importing this package registers every table on ``Base.metadata``."""

from geodata.models.areas import AdminArea
from geodata.models.base import SRID, Base
from geodata.models.enums import (
    OPEN_REPORT_STATUSES,
    PUBLIC_OPEN_REPORT_STATUSES,
    PUBLIC_REPORT_STATUSES,
    ActorKind,
    AreaLevel,
    Compliance,
    EvidenceKind,
    MeasuredBy,
    MeasurementMethod,
    ProviderKind,
    ReportCategory,
    ReportStatus,
    SamplePoint,
    SourceType,
    SystemType,
    WaterStatus,
)
from geodata.models.indicators import DistrictIndicator, StatusChange
from geodata.models.measurements import Measurement, Parameter
from geodata.models.provenance import Dataset
from geodata.models.providers import Provider
from geodata.models.reports import Report, ReportUpdate
from geodata.models.water import WaterSource, WaterSystem

__all__ = [
    "OPEN_REPORT_STATUSES",
    "PUBLIC_OPEN_REPORT_STATUSES",
    "PUBLIC_REPORT_STATUSES",
    "SRID",
    "ActorKind",
    "AdminArea",
    "AreaLevel",
    "Base",
    "Compliance",
    "Dataset",
    "DistrictIndicator",
    "EvidenceKind",
    "MeasuredBy",
    "Measurement",
    "MeasurementMethod",
    "Parameter",
    "Provider",
    "ProviderKind",
    "Report",
    "ReportCategory",
    "ReportStatus",
    "ReportUpdate",
    "SamplePoint",
    "SourceType",
    "StatusChange",
    "SystemType",
    "WaterSource",
    "WaterStatus",
    "WaterSystem",
]
