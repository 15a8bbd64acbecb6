"""What the parent and the clinic are shown of a child's vaccination: plain values for the
schemas to dump (vaccine names, not codes, and each dose's rule and source)."""

from __future__ import annotations

from typing import Any

from backend.models import PatientProfile, VaccinationRecord
from vaccination import Assessment, DoseState, programme

STATE_ORDER = {DoseState.OVERDUE: 0, DoseState.DUE: 1, DoseState.CLINIC_DECIDES: 2,
               DoseState.NOT_YET_DUE: 3, DoseState.PAST_AGE_LIMIT: 4, DoseState.COMPLETED: 5}


def vaccine_name(code: str) -> str:
    return programme().vaccines[code].name


def record_view(record: VaccinationRecord) -> dict[str, Any]:
    return {"id": record.external_id, "vaccine": record.vaccine,
            "vaccine_name": vaccine_name(record.vaccine), "dose": record.dose,
            "given_on": record.given_on, "source": record.source,
            "lot_number": record.lot_number, "manufacturer": record.manufacturer,
            "site": record.site, "given_at": record.given_at,
            "observe_until": record.observe_until}


def child_view(child: PatientProfile) -> dict[str, Any]:
    return {"id": child.external_id, "name": child.name, "birth_date": child.birth_date,
            "sex": child.sex}


def assessment_view(result: Assessment) -> dict[str, Any]:
    doses = [{"series": d.series, "series_name": d.series_name, "dose": d.dose,
              "state": d.state.value, "vaccines": [vaccine_name(v) for v in d.vaccines],
              "rule": d.rule, "citation": d.citation, "earliest": d.earliest,
              "latest": d.latest, "earliest_because": d.earliest_because,
              "latest_because": d.latest_because, "given_on": d.given_on}
             for d in sorted(result.doses, key=lambda d: (STATE_ORDER[d.state],
                                                           d.earliest or result.on))]
    flagged = [{"vaccine": f.record.vaccine, "vaccine_name": vaccine_name(f.record.vaccine),
                "dose": f.record.dose, "given_on": f.record.given_on, "flaw": f.flaw.value,
                "explanation": f.explanation, "citation": f.citation} for f in result.flagged]
    counts = {state.value: sum(1 for d in result.doses if d.state == state)
              for state in DoseState}
    return {"on": result.on, "doses": doses, "flagged": flagged, "counts": counts}


def non_programme() -> list[dict[str, str]]:
    return [{"code": v.code, "name": v.name, "ages": v.ages, "doses": v.doses}
            for v in programme().vaccines.values() if not v.programme]


def overview_view(found: dict[str, Any]) -> dict[str, Any]:
    schedule = programme()
    return {"child": child_view(found["child"]),
            "records": [record_view(r) for r in found["records"]],
            "assessment": assessment_view(found["assessment"]),
            "non_programme": non_programme(),
            "non_programme_note": "非免疫规划疫苗自愿自费接种，是否接种请与接种门诊医生商量。",
            "source": schedule.source, "non_programme_source": schedule.non_programme_source}


def question_set_view(questions) -> dict[str, Any]:
    return {"version": questions.version, "source": questions.source,
            "questions": [{"id": q.id, "text": q.text,
                           "choices": [{"id": c[0], "text": c[1]} for c in q.choices]}
                          for q in questions.questions]}
