"""Renders a receipt to PDF (WeasyPrint) and stores it with its SHA-256. Placeholder until the
receipt work lands."""


def render_and_store(receipt_id: int) -> None:
    return None
