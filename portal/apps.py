from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "平台基础"

    def ready(self):
        from . import signals  # noqa: F401  (login failure bookkeeping; imports models, so not at the top)
