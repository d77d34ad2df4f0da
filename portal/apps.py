from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "平台基础"

    def ready(self):
        from . import checks, signals  # noqa: F401  (login bookkeeping and system checks; they import models)
