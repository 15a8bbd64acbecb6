"""Taking a file from the immunisation information system into the children's records.

All or nothing: every line is checked first (`iis_file.parse`); a child must be a registered
就诊人 whose birth date matches, otherwise the line is listed as not ours and skipped (the export
covers the whole district). Doses already on record are counted, not added twice.
"""

from __future__ import annotations

import logging
import uuid

from flask import current_app
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from backend.auth import Principal
from backend.errors import ValidationFailed
from backend.extensions import db
from backend.models import PatientProfile, VaccinationImport, VaccinationRecord
from backend.security.crypto import sm3_hex
from backend.services import audit
from backend.services.deferred import commit
from backend.services.vaccination import due
from backend.services.vaccination.iis_file import IisFileError, parse
from backend.timeutil import local_today, utcnow
from vaccination import programme

log = logging.getLogger(__name__)
INSERT_CHUNK = 1000  # rows per INSERT: a 20,000-line file is 20 statements, not 20,000


def run(principal: Principal, filename: str, content: str) -> dict:
    try:
        rows = parse(content, programme(), local_today())
    except IisFileError as exc:
        log.info("vaccination import refused", extra={"lines": len(exc.problems)})
        raise ValidationFailed(str(exc), field="content", code="import_refused",
                               fields=exc.problems) from exc
    index = current_app.extensions["blind_index"]
    digests = {row.document_number: index.digest(row.document_number, "document")
               for row in rows}
    children = {c.document_index: c for c in db.session.execute(select(PatientProfile).where(
        PatientProfile.document_index.in_(set(digests.values())),
        PatientProfile.archived_at.is_(None))).scalars()}
    problems: dict[str, list[str]] = {}
    matched, not_ours = [], []
    for row in rows:
        child = children.get(digests[row.document_number])
        if child is None:
            not_ours.append(row.line)
        elif child.birth_date != row.birth_date:
            problems[f"第{row.line}行"] = ["出生日期与我们登记的不一致，请核对"]
        else:
            matched.append((row, child))
    if problems:
        raise ValidationFailed(f"有{len(problems)}行与登记信息不一致，整份文件未导入。",
                               field="content", code="import_refused", fields=problems)
    batch = VaccinationImport(organization_id=principal.organization_id,
                              staff_id=principal.staff_id, filename=filename,
                              digest=sm3_hex(content.encode("utf-8")), rows=len(rows),
                              added=0, already_known=0)
    db.session.add(batch)
    db.session.flush()
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    added, now = 0, utcnow()
    values = [dict(external_id=uuid.uuid4(), patient_id=child.id, vaccine=row.vaccine,
                   dose=row.dose, given_on=row.given_on, source="import",
                   organization_id=principal.organization_id, import_id=batch.id,
                   lot_number=row.lot_number, manufacturer=row.manufacturer, site=row.site,
                   created_at=now, updated_at=now) for row, child in matched]
    for start in range(0, len(values), INSERT_CHUNK):
        result = db.session.execute(
            insert(VaccinationRecord).values(values[start:start + INSERT_CHUNK])
            .on_conflict_do_nothing(index_elements=["patient_id", "vaccine", "dose",
                                                    "given_on"])
            .returning(VaccinationRecord.id))
        added += len(result.all())
    batch.added, batch.already_known = added, len(matched) - added
    for child in {c.id: c for _, c in matched}.values():
        due.reschedule(child)
    audit.record("vaccination.import", "vaccination_import", str(batch.external_id),
                 {"filename": filename, "digest": batch.digest, "rows": len(rows),
                  "added": added, "not_registered": len(not_ours)})
    commit()
    log.info("vaccination file imported", extra={"vaccination_import": str(batch.external_id),
                                                  "added": added})
    return {"id": batch.external_id, "rows": len(rows), "added": added,
            "already_known": batch.already_known, "children": len({c.id for _, c in matched}),
            "not_registered_lines": not_ours[:200], "not_registered": len(not_ours)}

