from importlib import import_module

from django.apps import AppConfig

# Each area of supervision registers what it adds to the shared machinery in `supervision.wiring.<area>`.
AREAS = ("plans", "inspections", "sanctions", "ratings", "complaints", "batches")


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = "质量督导"

    def ready(self):
        for area in AREAS:
            import_module(f"supervision.wiring.{area}")
        import_module("supervision.dashboard_charts")  # its charts on the dashboards [issue #15 §5]
