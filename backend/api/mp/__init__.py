"""Patient-facing API for the WeChat and Alipay mini-programs."""

from backend.api.mp import auth, conversations, organizations, profiles
from backend.api.mp.blueprint import blp

__all__ = ["auth", "blp", "conversations", "organizations", "profiles"]
