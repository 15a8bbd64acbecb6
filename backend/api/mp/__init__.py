"""Patient-facing API for the WeChat and Alipay mini-programs."""

from backend.api.mp import (
    auth,
    bookings,
    conversations,
    organizations,
    portraits,
    profiles,
    questionnaire,
    reports,
    risk_factors,
    vaccination,
    vitals,
    voice,
)
from backend.api.mp.blueprint import blp

__all__ = [
    "auth", "blp", "bookings", "conversations", "organizations", "portraits", "profiles",
    "questionnaire", "reports", "risk_factors", "vaccination", "vitals", "voice"]
