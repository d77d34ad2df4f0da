"""One shared world, the healthchecks way: Shanghai and its districts, the occupations, the active
policy, a user of every role, and agencies of each kind. Tests build filings through the real
services (`filings.demo.draft_filing` and `drive`), never by assigning a state."""

from __future__ import annotations

import os

import pytest
from django.db import connection

from filings.choices import AgencyKind, ManagingLevel, Ownership
from filings.demo import agency_user, draft_filing, drive, get_agency, make_uscc
from portal.demo import demo_user
from portal.models import IndustryDepartment, Occupation, PolicyProfile, Region, Role
from portal.reference_data import load_occupations, load_regions


def pytest_collection_modifyitems(config, items):
    on_postgres = os.environ.get("DATABASE_URL", "").startswith("postgres")
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
    skip_redis = pytest.mark.skip(reason="needs Redis (set REDIS_URL)")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_pg)
        if "redis" in item.keywords and not os.environ.get("REDIS_URL"):
            item.add_marker(skip_redis)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Django empties the tables between transactional tests with one TRUNCATE, which the audit
    table's trigger refuses unless the session allows it (portal migration 0003)."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("postgresql"):
        options = database.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c portal.audit_truncate=on".strip()


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"
    # Hashing passwords the production way costs a second per user; tests make dozens.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _generous_rate_limits(settings):
    """Every test client comes from 127.0.0.1 and, with REDIS_URL, shares the counters across the
    run; a test about the limits sets its own (tests/test_directory.py, test_api.py)."""
    settings.DIRECTORY_RATE_LIMITS = {"directory": (100_000, 60), "api": (100_000, 60), "export": (100_000, 60)}


@pytest.fixture(autouse=True)
def _eager_tasks():
    """Background tasks run in-process in tests, with or without REDIS_URL; the broker's own
    behaviour is tested where it matters (tests/test_notifications.py) with a real worker."""
    from portal.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = True


def city():
    """The city reviewer of the shared world, for tests that end a filing as the city decides."""
    from portal.models import User

    return User.objects.get(username="city")


class World:
    """Names for everything the tests talk about."""


@pytest.fixture
def world(db):
    load_regions()
    load_occupations()
    PolicyProfile.ensure_presets("shanghai")
    w = World()
    w.shanghai = Region.objects.get(code="310000")
    w.pudong = Region.objects.get(code="310115")
    w.xuhui = Region.objects.get(code="310104")
    w.economy = IndustryDepartment.objects.create(name="上海市经济和信息化委员会", region=w.shanghai)
    w.commerce = IndustryDepartment.objects.create(name="上海市商务委员会", region=w.shanghai)
    w.admin = demo_user("admin", role=Role.ADMIN, full_name="系统管理员")
    w.city = demo_user("city", role=Role.CITY, full_name="市中心审核员", region=w.shanghai)
    w.pudong_reviewer = demo_user("pudong", role=Role.DISTRICT, full_name="浦东审核员", region=w.pudong)
    w.xuhui_reviewer = demo_user("xuhui", role=Role.DISTRICT, full_name="徐汇审核员", region=w.xuhui)
    w.industry_reviewer = demo_user("industry", role=Role.INDUSTRY, full_name="经信委审核员",
                                    industry_department=w.economy, region=w.shanghai)
    w.commerce_reviewer = demo_user("commerce", role=Role.INDUSTRY, full_name="商务委审核员",
                                    industry_department=w.commerce, region=w.shanghai)
    w.inspector = demo_user("inspector", role=Role.INSPECTOR, full_name="督导员", region=w.shanghai)
    w.experts = [demo_user(f"expert{i}", role=Role.EXPERT, full_name=f"专家{i}") for i in range(1, 5)]
    w.electrician = Occupation.objects.get(code="6-31-01-03", work_type="")
    w.lathe = Occupation.objects.get(code="6-18-01-01", work_type="")
    w.carer = Occupation.objects.get(code="4-10-01-05", work_type="")
    w.restricted = Occupation.objects.filter(restricted=True).first()

    def agency(username, name, kind, ownership, region, seed, industry=None):
        a = get_agency(name=name, uscc=make_uscc(seed), kind=kind, ownership=ownership, region_code=region.code,
                       industry_department=industry)
        return a, agency_user(a, username)

    w.pudong_enterprise, w.pudong_clerk = agency("pd_clerk", "上海浦江电气有限公司", AgencyKind.ENTERPRISE,
                                                 Ownership.DISTRICT_ENTERPRISE, w.pudong, 1)
    w.xuhui_social, w.xuhui_clerk = agency("xh_clerk", "上海徐汇养老职业培训学校", AgencyKind.SOCIAL,
                                           Ownership.OTHER_SOCIAL, w.xuhui, 2)
    w.soe, w.soe_clerk = agency("soe_clerk", "上海城建集团有限公司", AgencyKind.ENTERPRISE,
                                Ownership.MUNICIPAL_SOE, w.xuhui, 3)
    w.association, w.association_clerk = agency("assoc_clerk", "上海市电气行业协会", AgencyKind.SOCIAL,
                                                Ownership.CITY_ASSOCIATION, w.pudong, 4, industry=w.economy)
    w.school, w.school_clerk = agency("school_clerk", "上海市浦东新区技工学校", AgencyKind.SCHOOL,
                                      Ownership.SCHOOL, w.pudong, 5)
    w.actors = {"city": w.city, "industry": w.industry_reviewer, "district:310115": w.pudong_reviewer,
                "district:310104": w.xuhui_reviewer}

    def filing(agency=None, clerk=None, state="draft", occupations=None, today=None, **kwargs):
        agency = agency or w.pudong_enterprise
        clerk = clerk or agency.staff.first()
        f = draft_filing(agency, clerk, occupations=occupations or [w.electrician], **kwargs)
        return drive(f, state, actors=w.actors, experts=w.experts[:3], today=today)

    w.filing = filing
    return w


@pytest.fixture
def on_postgres():
    return connection.vendor == "postgresql"


@pytest.fixture(autouse=True)
def _portal_language():
    """Each test starts in the portal's language: a language a request or a test activated in this
    thread does not leak into the next test's exports and imports."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
