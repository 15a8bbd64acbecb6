"""gunicorn embedded, so `frontdoor serve` needs no extra launcher script."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication


class GunicornApp(BaseApplication):
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from backend.app import create_app  # built in each worker after the fork

        return create_app()
