from .assessment import Attachment, ItemScore, PanelMember, RenewalAssessment, RenewalReminder, WrapUp
from .rubric import Rubric, RubricItem, upload_ratio_points

__all__ = ["Attachment", "ItemScore", "PanelMember", "RenewalAssessment", "RenewalReminder", "Rubric",
           "RubricItem", "WrapUp", "upload_ratio_points"]
