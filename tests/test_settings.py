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
                        "EMAIL_HOST", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS",
                        "DJANGO_ALLOW_ASYNC_UNSAFE"}}  # set for the Playwright tests in this process
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    env.update({
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "0",
        "SECRET_KEY": "".join(secrets.choice(alphabet) for _ in range(50)),
        "ALLOWED_HOSTS": "portal.example.gov.cn",
        "CSRF_TRUSTED_ORIGINS": "https://portal.example.gov.cn",
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
    assert "SECRET_KEY" in result.stderr


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
