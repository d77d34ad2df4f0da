from .agency import Agency, required_material_types, route_for
from .changes import ChangeAttachment, ChangeRequest, ChangeReviewer
from .decisions import SupplementItem, WrittenNotice
from .directory import DirectoryEntry, DirectoryTotal
from .filing import Filing
from .notices import NoticeItem, Objection, PublicNotice
from .panel import ExpertAssignment
from .receipts import NumberSequence, Receipt
from .scope import Examiner, Material, ScopeItem

__all__ = [
    "Agency",
    "ChangeAttachment",
    "ChangeRequest",
    "ChangeReviewer",
    "DirectoryEntry",
    "DirectoryTotal",
    "Examiner",
    "ExpertAssignment",
    "Filing",
    "Material",
    "NoticeItem",
    "NumberSequence",
    "Objection",
    "PublicNotice",
    "Receipt",
    "ScopeItem",
    "SupplementItem",
    "WrittenNotice",
    "required_material_types",
    "route_for",
]
