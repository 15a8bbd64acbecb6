"""Extensions, created unbound; `create_app` binds them. Nothing here touches the network."""

from __future__ import annotations

import redis
from flask import Flask, current_app
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from backend.openapi_rules import API_DESCRIPTION, EnforcedRulesPlugin
from backend.rate_limits import RateLimiter
from backend.request_context import client_ip
from backend.schemas.common import ErrorSchema

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class FrontDoorApi(Api):
    """flask-smorest, documenting our one error envelope as every operation's default response."""

    ERROR_SCHEMA = ErrorSchema


# Responses are dumped after the service commits: keep loaded state instead of re-selecting it.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
api = FrontDoorApi(spec_kwargs={"extra_plugins": [EnforcedRulesPlugin()],
                                "info": {"description": API_DESCRIPTION}})
limiter = RateLimiter(key_func=client_ip)


class RedisClient:
    """Holds the app's Redis connection pool; absent in embedded (demo) mode."""

    def init_app(self, app: Flask) -> None:
        url = app.config["REDIS_URL"]
        app.extensions["redis"] = (
            redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2,
                                 health_check_interval=30)
            if url else None
        )


redis_client = RedisClient()


def get_redis() -> redis.Redis | None:
    return current_app.extensions.get("redis")
