"""Pagination links that stay short however many pages there are."""

from django import template
from django.core.paginator import Paginator

register = template.Library()


@register.filter
def page_links(page_obj) -> list[int | None]:
    """The page numbers to link: the first and last, two either side of the current one, and None
    for each gap. Looping over all of a 900-page directory's numbers took most of its page's time."""
    pages = page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1)
    return [None if n == Paginator.ELLIPSIS else n for n in pages]
