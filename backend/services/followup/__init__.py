"""Chronic-disease follow-up use cases: residents, enrolment, follow-up records, the due-scan."""
