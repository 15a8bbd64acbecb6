"""HL7 FHIR R4 for the pre-visit note: the public API of `fhir_bundle` and `fhir_questionnaire`.

    note_to_bundle(note, knowledge) -> dict     a validated transaction Bundle (JSON)
    bundle_to_slots(bundle) -> list[dict]       the note's slots back, exactly
    questionnaire(knowledge) -> dict            the Questionnaire the responses answer
    question_keys(knowledge) -> frozenset[str]  its linkIds: the slot keys a note may hold
    bundle_identifier(note_id) -> dict          Bundle.identifier for a note

Pure functions over plain data: no Flask, no database. Models are fhir.resources' R4B package,
which is wire-compatible with R4 for every resource used.
"""

from backend.interop.fhir_bundle import (
    NoteForExchange,
    OrganizationInfo,
    PatientInfo,
    bundle_identifier,
    note_to_bundle,
)
from backend.interop.fhir_questionnaire import (
    FRONTDOOR_SYSTEM,
    QUESTIONNAIRE_URL,
    MappingError,
    bundle_to_slots,
    question_keys,
    questionnaire,
)

__all__ = [
    "FRONTDOOR_SYSTEM",
    "QUESTIONNAIRE_URL",
    "MappingError",
    "NoteForExchange",
    "OrganizationInfo",
    "PatientInfo",
    "bundle_identifier",
    "bundle_to_slots",
    "note_to_bundle",
    "question_keys",
    "questionnaire",
]
