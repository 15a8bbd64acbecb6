"""Models by aggregate; importing this package registers every table on the metadata."""

from backend.models.account import Account, PatientProfile, Relationship, Sex
from backend.models.audit import AuditChainHead, AuditEntry
from backend.models.conversation import ConversationSession, PreVisitNote
from backend.models.emr import AdminAlert, EmrDelivery
from backend.models.organization import Department, Doctor, Organization, OrganizationKind
from backend.models.schedule import RegistrationType, Schedule, Slot
from backend.models.session import AuthSession, PrincipalKind
from backend.models.staff import SignedResident, StaffRole, StaffUser

__all__ = [
    "Account",
    "AdminAlert",
    "AuditChainHead",
    "AuditEntry",
    "AuthSession",
    "ConversationSession",
    "Department",
    "Doctor",
    "EmrDelivery",
    "Organization",
    "OrganizationKind",
    "PatientProfile",
    "PreVisitNote",
    "PrincipalKind",
    "RegistrationType",
    "Relationship",
    "Schedule",
    "Sex",
    "SignedResident",
    "Slot",
    "StaffRole",
    "StaffUser",
]
