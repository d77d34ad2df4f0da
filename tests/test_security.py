"""Security hardening (issue #11.8, #11.9): session time limits, the Content-Security-Policy and
Permissions-Policy on every page, no caching of confidential downloads, refused access audited,
branded error pages, the staff-only style guide."""

from __future__ import annotations

import datetime
import re
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from assessments import services as renewal_services
from assessments.demo import active_filing, complete_application
from filings.choices import FilingState as S
from filings.demo import MINIMAL_PDF
from filings.notices import file_objection
from filings.receipts import issue_receipt
from portal.models import AuditEntry
from portal.security import SESSION_SEEN, SESSION_STARTED

pytestmark = pytest.mark.django_db
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def age_session(client, *, idle: int = 0, started: int = 0):
    session = client.session
    now = int(time.time())
    session[SESSION_SEEN] = now - idle
    session[SESSION_STARTED] = now - started
    session.save()


# ----- sessions ----------------------------------------------------------------------------------
def test_a_staff_session_ends_after_thirty_idle_minutes(client, world):
    client.force_login(world.city)
    age_session(client, idle=29 * 60)
    assert client.get(reverse("portal:dashboard")).status_code == 200
    age_session(client, idle=31 * 60)
    response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session


def test_a_staff_session_ends_after_twelve_hours_however_busy(client, world):
    client.force_login(world.city)
    age_session(client, idle=10, started=12 * 3600 + 1)
    assert client.get(reverse("portal:dashboard")).status_code == 302


def test_agency_users_have_their_own_configurable_limits(client, world, settings):
    settings.AGENCY_SESSION_IDLE_MINUTES = 120
    client.force_login(world.pudong_clerk)
    age_session(client, idle=60 * 60)
    assert client.get(reverse("portal:dashboard")).status_code == 200
    client.force_login(world.city)
    age_session(client, idle=60 * 60)
    assert client.get(reverse("portal:dashboard")).status_code == 302


def test_the_session_cookie_lasts_no_longer_than_the_absolute_limit(settings):
    assert settings.SESSION_COOKIE_AGE == 12 * 3600


# ----- headers -----------------------------------------------------------------------------------
@pytest.mark.parametrize("url", ["/accounts/login/", "/directory/"])
def test_every_page_has_a_csp_without_inline_script_and_a_permissions_policy(client, world, url):
    response = client.get(url)
    csp = response["Content-Security-Policy"]
    script = re.search(r"script-src ([^;]*)", csp).group(1)
    assert "'self'" in script and "unsafe-inline" not in script and "unsafe-eval" not in script
    assert "unsafe-inline" not in re.search(r"style-src ([^;]*)", csp).group(1)
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]


def test_the_admin_works_under_the_csp_with_inline_styles_only(client, world):
    client.force_login(world.admin)
    response = client.get(reverse("admin:portal_user_changelist"))
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "'unsafe-inline'" in re.search(r"style-src ([^;]*)", csp).group(1)
    assert "unsafe-inline" not in re.search(r"script-src ([^;]*)", csp).group(1)


def test_no_template_carries_inline_script_event_handlers_or_style_attributes():
    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|javascript:|\sstyle=\"|<style", re.I)
    pdf_only = {"receipt_pdf.html", "written_notice_pdf.html"}  # rendered by WeasyPrint, never served as HTML
    offenders = [str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.html")
                 if p.name not in pdf_only and inline.search(p.read_text())]
    assert offenders == []


# ----- confidential downloads --------------------------------------------------------------------
def assert_not_cached(response):
    assert response.status_code == 200, response
    assert response["Cache-Control"] == "private, no-store"
    b"".join(response.streaming_content)


def test_the_receipt_download_is_not_cached(client, world):
    filing = world.filing(state=S.ACTIVE)
    issue_receipt(filing, reason="变更备案")
    client.force_login(filing.agency.staff.get())
    assert_not_cached(client.get(reverse("filings:receipt_download", args=[filing.pk])))


def test_the_material_download_is_not_cached(client, world):
    filing = active_filing(world.pudong_enterprise, world.pudong_clerk, expires_on=datetime.date(2027, 1, 31),
                           actors=world.actors, experts=world.experts[:3], occupations=[world.electrician])
    client.force_login(world.pudong_clerk)
    assert_not_cached(client.get(f"/materials/{filing.materials.first().pk}/download/"))


def test_the_objection_evidence_download_is_not_cached(client, world):
    filing = world.filing(state=S.PUBLIC_NOTICE)
    item = filing.notice_items.get()
    objection = file_objection(item=item, name="王某", contact="13800000000", text="该机构场地不实。",
                               evidence=SimpleUploadedFile("证据.pdf", MINIMAL_PDF, content_type="application/pdf"),
                               today=item.notice.starts_on)
    client.force_login(world.city)
    assert_not_cached(client.get(reverse("filings:objection_evidence", args=[objection.pk])))


def test_the_renewal_attachment_download_is_not_cached(client, world):
    filing = active_filing(world.pudong_enterprise, world.pudong_clerk, expires_on=datetime.date(2027, 1, 31),
                           actors=world.actors, experts=world.experts[:3], occupations=[world.electrician])
    renewal = renewal_services.open_renewal(filing_id=filing.pk, actor=world.pudong_clerk,
                                            today=datetime.date(2026, 12, 1))
    renewal = complete_application(renewal, world.pudong_clerk)
    client.force_login(world.pudong_clerk)
    url = reverse("assessments:download", args=[renewal.pk, renewal.attachments.first().pk])
    assert_not_cached(client.get(url))


# ----- refused access is audited -----------------------------------------------------------------
def test_a_signed_in_user_refused_an_object_is_audited(client, world):
    filing = world.filing(state=S.DRAFT)
    client.force_login(world.xuhui_reviewer)
    assert client.get(reverse("filings:detail", args=[filing.pk])).status_code == 404
    entry = AuditEntry.objects.get(action="access.denied")
    assert entry.actor == world.xuhui_reviewer and entry.outcome == "refused"
    assert entry.data == {"path": reverse("filings:detail", args=[filing.pk]), "method": "GET", "reason": "not_found"}


def test_an_anonymous_404_writes_nothing(client, world):
    assert client.get("/no-such-page/").status_code == 404
    assert not AuditEntry.objects.filter(action="access.denied").exists()


# ----- error pages and the style guide -----------------------------------------------------------
def test_a_404_is_the_branded_chinese_page_and_lists_no_urls(client):
    page = client.get("/no-such-page/").content.decode()
    assert "找不到您要访问的页面" in page and 'href="/"' in page and "返回首页" in page
    assert "URLconf" not in page and "admin/" not in page


@pytest.mark.parametrize("template, text", [("403.html", "您无权访问此页面"), ("429.html", "访问过于频繁")])
def test_the_403_and_429_pages_are_branded_with_a_way_back(rf, template, text):
    from django.template.loader import render_to_string
    page = render_to_string(template, {"seconds": 30}, request=rf.get("/"))
    assert text in page and "返回首页" in page


def test_a_server_error_is_the_branded_page_without_a_request_context(world):
    def boom(request):
        raise RuntimeError("boom")

    from django.urls import path
    urlconf = type("urls", (), {"urlpatterns": [path("boom/", boom)], "handler500": "django.views.defaults.server_error"})
    with override_settings(ROOT_URLCONF=urlconf):
        response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500 and "服务暂时不可用" in response.content.decode()
    assert "返回首页" in response.content.decode()


def test_the_rate_limiter_answers_with_the_branded_429(client, settings):
    settings.DIRECTORY_RATE_LIMITS = {"directory": (1, 60)}
    client.get("/directory/")
    refused = client.get("/directory/")
    assert refused.status_code == 429 and "访问过于频繁" in refused.content.decode()
    assert "返回首页" in refused.content.decode() and refused["Retry-After"]


def test_the_style_guide_is_for_staff_only(client, world):
    assert client.get(reverse("portal:design")).status_code == 302  # to the login page
    client.force_login(world.city)
    assert client.get(reverse("portal:design")).status_code == 404
    world.admin.is_staff = True
    world.admin.save(update_fields=["is_staff"])
    client.force_login(world.admin)
    assert client.get(reverse("portal:design")).status_code == 200
