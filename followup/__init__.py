"""Chronic-disease follow-up and vaccination: plans, due dates, outbound calls.

Pure Python: due dates are computed by pure functions; `backend` stores them as rows and dispatches.
"""
