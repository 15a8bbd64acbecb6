"""Staff-facing API for the web console (family doctors, hospital admins, 接种门诊)."""

from backend.api.admin import (
    audit,
    auth,
    emr,
    followup,
    followup_calls,
    payments,
    questionnaire,
    reports,
    residents,
    schedules,
    vaccination,
)
from backend.api.admin.blueprint import blp

__all__ = ["audit", "auth", "blp", "emr", "followup", "followup_calls", "payments",
           "questionnaire", "reports", "residents", "schedules", "vaccination"]
