"""Closed vocabularies of the domain (see ../shared/domain/DOMAIN.md)."""

from __future__ import annotations

import enum


class AreaLevel(enum.StrEnum):
    DEPARTMENT = "department"
    PROVINCE = "province"
    DISTRICT = "district"


class ProviderKind(enum.StrEnum):
    JASS = "jass"  # community water board
    MUNICIPALITY = "municipality"  # district municipality and its ATM
    EPS = "eps"  # urban utility
    OTHER = "other"


class SystemType(enum.StrEnum):
    GRAVITY = "gravity"
    PUMPED = "pumped"
    HAND_WELL = "hand_well"
    RAINWATER = "rainwater"
    UNKNOWN = "unknown"


class SourceType(enum.StrEnum):
    SPRING = "spring"
    WELL = "well"
    RIVER = "river"
    LAKE = "lake"
    RAINWATER = "rainwater"
    OTHER = "other"
    UNKNOWN = "unknown"


class WaterStatus(enum.StrEnum):
    """Traffic light of a system or source."""

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    GREY = "grey"


class EvidenceKind(enum.StrEnum):
    OFFICIAL = "official"  # laboratory, DIRESA or operator
    CITIZEN = "citizen"
    NONE = "none"


class ReportCategory(enum.StrEnum):
    NO_WATER = "no_water"
    INTERMITTENT_SUPPLY = "intermittent_supply"
    BAD_TASTE_SMELL_COLOUR = "bad_taste_smell_colour"
    TURBID_WATER = "turbid_water"
    SUSPECTED_CONTAMINATION = "suspected_contamination"
    BROKEN_INFRASTRUCTURE = "broken_infrastructure"
    LEAK = "leak"
    NEW_SOURCE = "new_source"
    SUGGESTION = "suggestion"
    OTHER = "other"


class ReportStatus(enum.StrEnum):
    RECEIVED = "received"
    VALIDATED = "validated"
    REJECTED = "rejected"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"


class ActorKind(enum.StrEnum):
    SYSTEM = "system"  # the validation worker, the overdue check
    CITIZEN = "citizen"
    PROVIDER = "provider"  # staff of a JASS, EPS or the district's ATM, or its signed link
    AUTHORITY = "authority"  # health surveillance (DIRESA)
    MODERATOR = "moderator"  # moderators and administrators


class Role(enum.StrEnum):
    """What a member of staff may see and do (``geodata/accounts/scope.py``)."""

    ADMINISTRATOR = "administrator"  # everything, and accounts and roles
    MODERATOR = "moderator"  # every report: reject spam, merge duplicates, reassign
    PROVIDER_STAFF = "provider_staff"  # a JASS or EPS: the reports of its systems
    ATM_STAFF = "atm_staff"  # a district's ATM: every system and report of the district
    HEALTH = "health"  # DIRESA: reads everything with private fields; notes and lab results
    ANALYST = "analyst"  # reads everything except reporters' private fields; changes nothing


class MeasurementMethod(enum.StrEnum):
    SENSE = "sense"  # sight, smell, taste
    KIT = "kit"  # field kit: comparator, turbidity tube, strips
    LAB = "lab"


class SamplePoint(enum.StrEnum):
    SOURCE = "source"
    RESERVOIR = "reservoir"
    NETWORK = "network"
    TAP = "tap"


class MeasuredBy(enum.StrEnum):
    CITIZEN = "citizen"
    OPERATOR = "operator"
    LAB = "lab"


class Compliance(enum.StrEnum):
    """Classification of one measurement against Peru's limits (DS 031-2010-SA)."""

    WITHIN = "within"
    WARNING = "warning"
    VIOLATION = "violation"
    UNKNOWN = "unknown"
