from django.apps import AppConfig


class FilingsConfig(AppConfig):
    name = "filings"
    verbose_name = "备案"

    def ready(self):
        from portal import deadlines, demo

        from . import deadlines as filing_deadlines
        from . import demo as filing_demo

        deadlines.register("filings", filing_deadlines.sweep)
        demo.register("filings", filing_demo.seed)
