"""marshmallow schemas: they shape and validate, nothing else (no queries, no current user)."""
