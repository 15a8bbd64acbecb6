"""Health-education content: articles and matching them to each person.

Pure Python; `backend.services` supplies the person's facts and stores what was shown.
"""
