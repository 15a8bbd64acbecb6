"""Models by aggregate; importing this package registers every table on the metadata."""

from backend.models.account import Account, PatientProfile, Relationship, Sex
from backend.models.audit import AuditChainHead, AuditEntry, AuditSeal
from backend.models.booking import ACTIVE_STATUSES, Booking, BookingStatus
from backend.models.conversation import ConversationSession, PreVisitNote
from backend.models.education import EducationDelivery
from backend.models.emr import AdminAlert, EmrDelivery
from backend.models.followup_call import (
    CallAttempt,
    CallState,
    FollowUpCall,
    FollowUpChannel,
)
from backend.models.followup_contact import FollowUpContact
from backend.models.followup_questionnaire import FollowUpQuestionnaire
from backend.models.followup_record import (
    FollowUpMethod,
    FollowUpOutcome,
    FollowUpRecord,
    FollowUpTask,
    TaskStatus,
)
from backend.models.message import MessageSubscription, PatientMessage
from backend.models.organization import Department, Doctor, Organization, OrganizationKind
from backend.models.payment import PaymentOrder, PaymentTransition, ReconciliationMismatch
from backend.models.portrait import HealthPortrait, PortraitStatus
from backend.models.report import (
    ClinicianMessage,
    CriticalAlert,
    InboundDeadLetter,
    PatientLink,
    Report,
    ReportResult,
    ReportRevision,
)
from backend.models.resident import (
    END_REASONS,
    MANAGEMENT_LEVELS,
    Programme,
    ProgrammeEnrolment,
    Resident,
    ResidentSource,
)
from backend.models.risk_factor import RiskFactorEntry
from backend.models.schedule import RegistrationType, Schedule, Slot
from backend.models.session import AuthSession, PrincipalKind
from backend.models.staff import SignedResident, StaffRole, StaffUser
from backend.models.vaccination import (
    AfterCareReport,
    VaccinationDue,
    VaccinationImport,
    VaccinationRecord,
    VaccinationScreening,
)
from backend.models.vitals import VitalReading

__all__ = [
    "ACTIVE_STATUSES",
    "END_REASONS",
    "MANAGEMENT_LEVELS",
    "Account",
    "AdminAlert",
    "AfterCareReport",
    "AuditChainHead",
    "AuditEntry",
    "AuditSeal",
    "AuthSession",
    "Booking",
    "BookingStatus",
    "CallAttempt",
    "CallState",
    "ClinicianMessage",
    "ConversationSession",
    "CriticalAlert",
    "Department",
    "Doctor",
    "EducationDelivery",
    "EmrDelivery",
    "FollowUpCall",
    "FollowUpChannel",
    "FollowUpContact",
    "FollowUpMethod",
    "FollowUpOutcome",
    "FollowUpQuestionnaire",
    "FollowUpRecord",
    "FollowUpTask",
    "HealthPortrait",
    "InboundDeadLetter",
    "MessageSubscription",
    "Organization",
    "OrganizationKind",
    "PatientLink",
    "PatientMessage",
    "PatientProfile",
    "PaymentOrder",
    "PaymentTransition",
    "PortraitStatus",
    "PreVisitNote",
    "PrincipalKind",
    "Programme",
    "ProgrammeEnrolment",
    "ReconciliationMismatch",
    "RegistrationType",
    "Relationship",
    "Report",
    "ReportResult",
    "ReportRevision",
    "Resident",
    "ResidentSource",
    "RiskFactorEntry",
    "Schedule",
    "Sex",
    "SignedResident",
    "Slot",
    "StaffRole",
    "StaffUser",
    "TaskStatus",
    "VaccinationDue",
    "VaccinationImport",
    "VaccinationRecord",
    "VaccinationScreening",
    "VitalReading",
]
