"""Chronic-disease follow-up: plans, due dates, outbound calls (children's vaccination has its
own package, `vaccination/`).

Pure Python: due dates are computed by pure functions; `backend` stores them as rows and dispatches.
"""
