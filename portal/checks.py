"""System checks that refuse a production start with settings that only suit a developer's machine."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, register

EXAMPLE_DOMAINS = ("example", "example.com", "example.org", "example.net")  # RFC 2606


def _is_example(host: str) -> bool:
    return any(host == domain or host.endswith("." + domain) for domain in EXAMPLE_DOMAINS)


@register()
def site_url_is_real(app_configs, **kwargs):
    """With DEBUG off, SITE_URL (in every receipt's QR code and every e-mail) must be set in the
    environment. A loopback address set there on purpose is accepted (`make run` on one's own
    machine); the default, an example domain, 0.0.0.0 or a URL without scheme and host never is."""
    if settings.DEBUG:
        return []
    parts = urlsplit(settings.SITE_URL)
    host = (parts.hostname or "").lower()
    real = (getattr(settings, "SITE_URL_FROM_ENV", False) and parts.scheme in {"http", "https"}
            and host and host != "0.0.0.0" and not _is_example(host))
    if real:
        return []
    return [Error(
        f"SITE_URL（{settings.SITE_URL}）不是本平台的真实地址：关闭 DEBUG 时请在环境变量 SITE_URL 中设置"
        "对外访问地址（备案回执二维码和邮件中的链接都指向它），例如 https://pxba.rsj.gov.cn。",
        id="portal.E001")]
