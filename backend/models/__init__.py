"""Models by aggregate; importing this package registers every table on the metadata."""

from backend.models.account import Account, PatientProfile, Relationship, Sex
from backend.models.audit import AuditChainHead, AuditEntry
from backend.models.booking import ACTIVE_STATUSES, Booking, BookingStatus
from backend.models.conversation import ConversationSession, PreVisitNote
from backend.models.emr import AdminAlert, EmrDelivery
from backend.models.message import MessageSubscription, PatientMessage
from backend.models.organization import Department, Doctor, Organization, OrganizationKind
from backend.models.payment import PaymentOrder, PaymentTransition, ReconciliationMismatch
from backend.models.report import (
    ClinicianMessage,
    CriticalAlert,
    InboundDeadLetter,
    PatientLink,
    Report,
    ReportResult,
    ReportRevision,
)
from backend.models.schedule import RegistrationType, Schedule, Slot
from backend.models.session import AuthSession, PrincipalKind
from backend.models.staff import SignedResident, StaffRole, StaffUser

__all__ = [
    "ACTIVE_STATUSES",
    "Account",
    "AdminAlert",
    "AuditChainHead",
    "AuditEntry",
    "AuthSession",
    "Booking",
    "BookingStatus",
    "ClinicianMessage",
    "ConversationSession",
    "CriticalAlert",
    "Department",
    "Doctor",
    "EmrDelivery",
    "InboundDeadLetter",
    "MessageSubscription",
    "Organization",
    "OrganizationKind",
    "PatientLink",
    "PatientMessage",
    "PatientProfile",
    "PaymentOrder",
    "PaymentTransition",
    "PreVisitNote",
    "PrincipalKind",
    "ReconciliationMismatch",
    "RegistrationType",
    "Relationship",
    "Report",
    "ReportResult",
    "ReportRevision",
    "Schedule",
    "Sex",
    "SignedResident",
    "Slot",
    "StaffRole",
    "StaffUser",
]
