"""Laboratory and imaging results (检验检查报告): what a value means and how to say it plainly.

Pure Python: reference intervals, critical-value limits and plain-word explanations are data
files naming their sources (`reports/data/`); flags, explanations, trends and the rules that
order preliminary, final and corrected versions are functions over dataclasses. No Flask, no
database: `backend/services/reports` joins this to the rest of the service.
"""
