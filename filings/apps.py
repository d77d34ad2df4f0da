from importlib import import_module

from django.apps import AppConfig


class FilingsConfig(AppConfig):
    name = "filings"
    verbose_name = "备案"

    def ready(self):
        # Imported here, not at the top: these modules import models, so they wait for the app registry.
        from portal import deadlines, demo, schedule

        from . import deadlines as filing_deadlines
        from . import demo as filing_demo
        from . import demo_changes
        from . import decision_pdf, receipts

        deadlines.register("filings", filing_deadlines.sweep)
        schedule.register("filings", filing_deadlines.running_deadlines)
        deadlines.register("receipts", lambda today: receipts.render_pending())
        deadlines.register("decisions", lambda today: decision_pdf.render_pending())
        demo.register("filings", filing_demo.seed)
        demo.register("changes", demo_changes.seed)  # after "filings": it needs filings in force
        for module in ("panels.agency", "panels.review"):  # dashboard panels, each registers itself
            import_module(f"filings.{module}")
        import_module("filings.audit_actions")  # the audit vocabulary
