"""A hospital's report rules over the defaults: its 危急值 table, its confidential tests and
how long a critical value may wait for a clinician before it escalates."""

from __future__ import annotations

from typing import Any, Protocol

from flask import current_app

from reports.knowledge import Knowledge, TestInfo, default_knowledge


class Hospital(Protocol):
    """What report rules need of a hospital: an Organization, or the row of one that the
    ingest reads without loading the whole object."""

    @property
    def id(self) -> int: ...

    @property
    def code(self) -> str: ...

    @property
    def report_rules(self) -> dict[str, Any] | None: ...


def knowledge_for(organization: Hospital) -> Knowledge:
    rules = organization.report_rules or {}
    return default_knowledge().with_critical_values(rules.get("critical_values"))


def escalation_minutes(organization: Hospital) -> int:
    rules = organization.report_rules or {}
    return int(rules.get("escalation_minutes") or
               current_app.config["CRITICAL_ESCALATION_MINUTES"])


def is_confidential(organization: Hospital, test: TestInfo | None, code: str) -> bool:
    """Results the law keeps confidential (HIV, genetic tests…) are collected in person."""
    rules = organization.report_rules or {}
    listed = set(rules.get("confidential_tests") or [])
    return bool(test and (test.confidential or test.code in listed)) or code in listed
