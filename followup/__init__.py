"""Chronic-disease follow-up (慢性病患者健康管理): hypertension and type 2 diabetes
(children's vaccination has its own package, `vaccination/`).

Pure Python: the rules of 国家基本公共卫生服务规范（第三版） are data (`followup/data/`), and
pure functions classify a visit and compute due dates; `backend` stores them as rows and
dispatches.
"""

from followup.classify import classify, find_emergencies
from followup.records import (
    Decision,
    FollowUpInputError,
    FollowUpResult,
    FollowUpVisit,
    ProgrammeFindings,
    ProgrammeOutcome,
)
from followup.rules import FollowUpRules, RulesError, default_rules, load
from followup.schedule import ScheduleState, ScheduleStatus, schedule_status

__all__ = ["Decision", "FollowUpInputError", "FollowUpResult", "FollowUpRules", "FollowUpVisit",
           "ProgrammeFindings", "ProgrammeOutcome", "RulesError", "ScheduleState",
           "ScheduleStatus", "classify", "default_rules", "find_emergencies", "load",
           "schedule_status"]
