"""Production settings come from the environment and pass Django's deployment checklist
(`manage.py check --deploy`) with no warnings."""

import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent


def production_env(**overrides) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS",
                        "EMAIL_HOST", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_COOKIES",
                        "STATIC_MANIFEST", "SITE_URL", "SECRET_KEY_FILE",  # the test run's own (pyproject.toml)
                        "DJANGO_ALLOW_ASYNC_UNSAFE"}}  # set for the Playwright tests in this process
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    env.update({
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "0",
        "SECRET_KEY": "".join(secrets.choice(alphabet) for _ in range(50)),
        "ALLOWED_HOSTS": "portal.example.gov.cn",
        "CSRF_TRUSTED_ORIGINS": "https://portal.example.gov.cn",
        "SITE_URL": "https://portal.example.gov.cn",
        "SECRET_KEY_FILE": "/nonexistent/secret_key",
    })
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def manage(*args, env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True,
                          text=True, timeout=120)


def test_check_deploy_is_clean_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS" not in output
    assert "no issues" in output


def test_check_deploy_is_clean_with_a_sqlite_database_url(tmp_path):
    env = production_env(DATABASE_URL=f"sqlite:///{tmp_path / 'portal.sqlite3'}")
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", env=production_env(SECRET_KEY=None))
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr and "未设置 SECRET_KEY" in result.stderr


def setting(name: str, env: dict) -> str:
    code = f"import django; django.setup(); from django.conf import settings; print(repr(settings.{name}))"
    result = subprocess.run([sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_debug_is_off_unless_debug_1_is_set(tmp_path):
    """#11.9: a debug page lists the whole URL configuration, so DEBUG must be asked for."""
    assert setting("DEBUG", production_env(DEBUG=None)) == "False"
    assert setting("DEBUG", production_env(DEBUG="1")) == "True"


def test_the_key_is_read_from_the_key_file_make_run_keeps(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text("k" * 60 + "\n")
    assert setting("SECRET_KEY", production_env(SECRET_KEY=None, SECRET_KEY_FILE=str(key_file))) == repr("k" * 60)


def test_make_creates_the_key_file_once_and_keeps_it(tmp_path):
    key = tmp_path / "var" / "secret_key"
    run = lambda: subprocess.run(["make", "-s", "-f", str(BASE_DIR / "Makefile"), "var/secret_key"], cwd=tmp_path,
                                 capture_output=True, text=True, timeout=60)
    assert run().returncode == 0 and len(key.read_text().strip()) >= 50
    first = key.read_text()
    assert run().returncode == 0 and key.read_text() == first
    assert key.stat().st_mode & 0o077 == 0  # readable by its owner only


@pytest.mark.parametrize("site_url", [None, "", "https://example.com", "https://portal.example",
                                      "http://0.0.0.0:8000", "portal.gov.cn"])
def test_production_refuses_to_start_without_a_real_site_url(site_url):
    """The receipts' QR codes point to SITE_URL: the default or an example must never reach a receipt."""
    result = manage("check", env=production_env(SITE_URL=site_url))
    assert result.returncode != 0 and "portal.E001" in result.stderr and "SITE_URL" in result.stderr


def test_an_explicit_loopback_site_url_is_accepted_for_make_run():
    env = production_env(SITE_URL="http://127.0.0.1:8000", SECURE_SSL_REDIRECT="0", SECURE_COOKIES="0",
                         SECURE_HSTS_SECONDS="0")
    result = manage("check", env=env)
    assert result.returncode == 0, result.stderr


def test_the_receipt_qr_code_points_to_site_url(world, settings):
    from filings.choices import FilingState
    from filings.receipt_pdf import receipt_context

    settings.SITE_URL = "https://pxba.rsj.gov.cn"
    filing = world.filing(state=FilingState.ACTIVE)
    context = receipt_context(filing.receipts.get())
    assert context["verify_url"].startswith("https://pxba.rsj.gov.cn/verify/")


@pytest.mark.parametrize("name, expected", [
    ("SESSION_COOKIE_SECURE", True), ("CSRF_COOKIE_SECURE", True), ("SECURE_SSL_REDIRECT", True),
    ("SECURE_HSTS_SECONDS", 31536000), ("DEBUG", False), ("ALLOWED_HOSTS", ["portal.example.gov.cn"]),
    ("CSRF_TRUSTED_ORIGINS", ["https://portal.example.gov.cn"]),
    ("CELERY_BROKER_URL", "redis://10.0.0.5:6379/0"), ("CELERY_TASK_ALWAYS_EAGER", False),
    ("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"), ("UPLOAD_MAX_BYTES", 30 * 1024 * 1024)])
def test_production_settings_values(name, expected):
    code = f"import django; django.setup(); from django.conf import settings; print(repr(settings.{name}))"
    env = production_env(REDIS_URL="redis://10.0.0.5:6379/0", EMAIL_HOST="smtp.example.gov.cn", UPLOAD_MAX_MB="30")
    result = subprocess.run([sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == repr(expected)
