"""Flask's signed-cookie sessions (the console's login and CSRF token), cheaper per request.

Why: Flask builds the cookie's signer on every request before it looks for the cookie, and the
patients' API never sends one. Without a session cookie the answer is the same fresh, empty
session Flask would give, without building the signer.
"""

from __future__ import annotations

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface


class CookieSessions(SecureCookieSessionInterface):
    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)
