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
    vaccination,
    vitals,
    voice,
)
from backend.api.mp.blueprint import blp

__all__ = [
    "auth", "blp", "bookings", "conversations", "organizations", "portraits", "profiles",
    "questionnaire", "reports", "vaccination", "vitals", "voice"]
