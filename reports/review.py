"""`python -m reports.review`: the rows of the national interval and critical-value tables the
hospital's laboratory has not yet checked against the published standards (`lab_review:
pending` in reports/data/). Exit status 1 while any remain, so a go-live checklist can run it."""

from __future__ import annotations

import sys

from reports.knowledge import DAYS_PER_YEAR, default_knowledge


def _age(days: int) -> str:
    return f"{days}d" if days < 365 else f"{days / DAYS_PER_YEAR:.0f}y"


def main() -> int:
    pending = default_knowledge().pending_review()
    for table, band in pending:
        bounds = f"{'' if band.low is None else f'{band.low:g}'}-" \
                 f"{'' if band.high is None else f'{band.high:g}'}"
        print(f"{table:<20} {band.test:<8} {band.sex:<6} {_age(band.from_days):>4}–"
              f"{_age(band.to_days):<5} {bounds:<14} {band.source}")
    print(f"{len(pending)} rows await the laboratory's review")
    return 1 if pending else 0


if __name__ == "__main__":
    sys.exit(main())
