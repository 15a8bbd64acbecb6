"""The children's vaccination journey: records, what is due, booking the 接种门诊, reminders,
the health questionnaire, 留观 and the after-care call. Joins `vaccination/` (the schedule) to
the database, the booking engine and the message outbox."""
