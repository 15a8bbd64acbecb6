"""Dialogues with patients: triage, pre-consultation (一诉五史), language models, speech.

Pure Python: takes and returns dataclasses; vendor clients are passed in.
`backend.services` joins it to persistence and the web.
"""
