"""`python -m bench [name ...]`: run the named benchmarks (default: all) and print their tables."""

from __future__ import annotations

import sys

from bench import (
    booking,
    console,
    conversation,
    emr_delivery,
    fhir_mapping,
    followup,
    http_rate,
    reports,
    vaccination,
    voice,
)

BENCHMARKS = {"http": http_rate.main, "conversation": conversation.main,
              "fhir": fhir_mapping.main, "emr": emr_delivery.main, "booking": booking.main,
              "reports": reports.main, "console": console.main, "followup": followup.main,
              "vaccination": vaccination.main, "voice": voice.main}


def main(argv: list[str]) -> None:
    if argv and argv[0] == "followup":  # the only one with options: --residents N[,N…]
        followup.main(argv[1:])
        return
    names = argv or list(BENCHMARKS)
    for name in names:
        if name not in BENCHMARKS:
            raise SystemExit(f"unknown benchmark {name!r}; choose from {', '.join(BENCHMARKS)}")
        BENCHMARKS[name]()


if __name__ == "__main__":
    main(sys.argv[1:])
