"""Staff-facing API for the web console (family doctors, hospital admins)."""

from backend.api.admin import (
    audit,
    auth,
    emr,
    followup,
    payments,
    reports,
    residents,
    schedules,
)
from backend.api.admin.blueprint import blp

__all__ = ["audit", "auth", "blp", "emr", "followup", "payments", "reports", "residents",
           "schedules"]
