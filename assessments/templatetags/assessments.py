from django import template

from assessments.models.rubric import fmt

register = template.Library()


@register.filter
def points(value):
    return "—" if value is None or value == "" else fmt(value)


@register.filter
def value_label(value, item):
    """How a stored value reads for its item: points, a number of incidents, or 是/否 for a veto."""
    if value is None or value == "":
        return "—"
    if item.kind == "veto":
        return "是" if value == 1 else "否"
    if item.kind == "deduction":
        return f"{fmt(value)} 次（−{fmt(item.deduction_per_count * value)}）"
    return fmt(value)
