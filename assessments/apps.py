from importlib import import_module

from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "期满评估"

    def ready(self):
        # Imported here, not at the top: these modules import models, so they wait for the app registry.
        from portal import deadlines, demo, schedule

        from . import deadlines as renewal_deadlines
        from . import demo as renewal_demo

        deadlines.register("assessments", renewal_deadlines.sweep)
        schedule.register("assessments", renewal_deadlines.running_deadlines)
        demo.register("assessments", renewal_demo.seed)
        import_module("assessments.panels")  # dashboard panels register themselves
        import_module("assessments.outcomes")  # a result's effect on the filing plugs into the services
        import_module("assessments.audit_actions")  # the audit vocabulary
        import_module("assessments.todo")  # the renewal's lines in the agency's task list
