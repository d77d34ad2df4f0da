from .accounts import IndustryDepartment, Role, User
from .audit import AuditChainHead, AuditEntry
from .calendar import WorkdayOverride
from .files import StoredFile
from .notifications import Notification
from .occupations import ENTERPRISE_ONLY_LEVELS, Occupation, SkillLevel
from .policy import PolicyProfile, pinned_policy
from .regions import Region

__all__ = [
    "AuditChainHead",
    "AuditEntry",
    "ENTERPRISE_ONLY_LEVELS",
    "IndustryDepartment",
    "Notification",
    "Occupation",
    "PolicyProfile",
    "pinned_policy",
    "Region",
    "Role",
    "SkillLevel",
    "StoredFile",
    "User",
    "WorkdayOverride",
]
