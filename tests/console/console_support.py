"""Signing in to the console through its own login form (CSRF token and all), and the data
the console tests share: a hospital with a critical value, a signed resident with reports."""

from __future__ import annotations

import re

from backend.services.reports.hl7_inbound import handle
from tests import factories as f
from tests import report_support as rs

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def login(client, username: str, password: str = f.STAFF_PASSWORD):
    page = client.get("/console/login")
    assert page.status_code == 200
    return client.post("/console/login", data={
        "csrf_token": csrf_token(page.get_data(as_text=True)),
        "username": username, "password": password})


def receive(*names_or_bytes) -> None:
    for item in names_or_bytes:
        raw = rs.fixture(item) if isinstance(item, str) else item
        assert rs.msa(handle(raw).strip(b"\x0b\x1c\r"))[0] == "AA"


def hgb_later():
    """The blood count again two weeks later, so 血红蛋白 has a course to chart."""
    return rs.edited("cbc", ("|LIS0001|", "|LIS0021|"), ("|L20261201001|", "|L20261215001|"),
                     ("|20261201071500|", "|20261215071500|"), ("||118|g/L|", "||121|g/L|"))
