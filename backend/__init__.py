"""Front Door backend: the only code that knows Flask, SQLAlchemy, RQ and APScheduler.

The app factory lives in `backend.app`; importing this package does no work.
"""
