"""All ORM models; importing this package registers every table on ``Base.metadata``."""

from geodata.models.accounts import (
    Account,
    ApiKey,
    AuditEvent,
    AuthSession,
    Membership,
    OneTimeCode,
    SignInThrottle,
)
from geodata.models.areas import AdminArea
from geodata.models.base import SRID, Base
from geodata.models.dashboards import (
    DashboardAnswerMonth,
    DashboardArea,
    DashboardBodyMonth,
    DashboardColourWeek,
    DashboardComplianceMonth,
    DashboardMapDots,
    DashboardReportWeek,
)
from geodata.models.desk import AnswerLink, ResponseTemplate
from geodata.models.enums import (
    ActorKind,
    AreaLevel,
    Compliance,
    EvidenceKind,
    MeasuredBy,
    MeasurementMethod,
    ProviderKind,
    ReportCategory,
    ReportStatus,
    Role,
    SamplePoint,
    SourceType,
    SystemType,
    WaterStatus,
)
from geodata.models.evidence import ReadingBatch, SystemComplianceMonth
from geodata.models.inbound import InboundMessage, NoticeTarget
from geodata.models.indicators import DistrictIndicator, ProviderIndicator, StatusChange
from geodata.models.measurements import Measurement, Parameter
from geodata.models.notify import (
    ChannelKind,
    Delivery,
    DeliveryStatus,
    FollowUp,
    NotifyContact,
    ReportNotice,
    Subscription,
)
from geodata.models.places import Place
from geodata.models.provenance import Dataset
from geodata.models.providers import Provider
from geodata.models.reports import Report, ReportUpdate
from geodata.models.search import SearchWord
from geodata.models.water import WaterSource, WaterSystem

__all__ = [
    "SRID",
    "Account",
    "ActorKind",
    "AdminArea",
    "AnswerLink",
    "ApiKey",
    "AreaLevel",
    "AuditEvent",
    "AuthSession",
    "Base",
    "ChannelKind",
    "Compliance",
    "DashboardAnswerMonth",
    "DashboardArea",
    "DashboardBodyMonth",
    "DashboardColourWeek",
    "DashboardComplianceMonth",
    "DashboardMapDots",
    "DashboardReportWeek",
    "Dataset",
    "Delivery",
    "DeliveryStatus",
    "DistrictIndicator",
    "EvidenceKind",
    "FollowUp",
    "InboundMessage",
    "MeasuredBy",
    "Measurement",
    "MeasurementMethod",
    "Membership",
    "NoticeTarget",
    "NotifyContact",
    "OneTimeCode",
    "Parameter",
    "Place",
    "Provider",
    "ProviderIndicator",
    "ProviderKind",
    "ReadingBatch",
    "Report",
    "ReportCategory",
    "ReportNotice",
    "ReportStatus",
    "ReportUpdate",
    "ResponseTemplate",
    "Role",
    "SamplePoint",
    "SearchWord",
    "SignInThrottle",
    "SourceType",
    "StatusChange",
    "Subscription",
    "SystemComplianceMonth",
    "SystemType",
    "WaterSource",
    "WaterStatus",
    "WaterSystem",
]
