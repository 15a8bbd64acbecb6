"""What the staff console shows: the worklist, resident search, a resident's timeline and the
clinic's pre-visit notes. Read models over the other journeys' tables, each read audited; the
console's views (`backend.console`) only render them."""
