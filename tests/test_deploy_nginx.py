"""The deploy/ files as an operator installs them: nginx (TLS) in front of gunicorn on a Unix socket.

The site template is rendered the way docs/deployment.md renders it, checked with `nginx -t`, and
a person's visit goes through it: the login page, a login, a directory search, a receipt download
and the static files. The trusted-proxy rule is then proven as deployed: a client that forges
X-Forwarded-For is still recorded in the audit trail under the address nginx saw. The client
connects from 127.0.0.2 so that its address differs from the proxy's (127.0.0.1, TRUSTED_PROXIES).
"""

import os
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

httpx = pytest.importorskip("httpx")

BASE_DIR = Path(__file__).resolve().parent.parent
DEPLOY = BASE_DIR / "deploy"
NGINX = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)
OPENSSL = shutil.which("openssl")
HOST = "portal.test"
CLIENT_ADDRESS = "127.0.0.2"  # the person; nginx, the trusted proxy, is 127.0.0.1
FORGED_ADDRESS = "203.0.113.9"
PASSWORD = "Demo-2026-pass"

pytestmark = pytest.mark.deploy


@dataclass
class Deployment:
    root: Path
    https_port: int
    http_port: int
    database: Path
    gunicorn_access_log: Path
    nginx_test_output: str

    def client(self, local_address: str = CLIENT_ADDRESS, **kwargs) -> "httpx.Client":
        context = ssl.create_default_context(cafile=str(self.root / "tls" / "cert.pem"))
        transport = httpx.HTTPTransport(verify=context, local_address=local_address)
        return httpx.Client(base_url=f"https://127.0.0.1:{self.https_port}", transport=transport,
                            headers={"Host": HOST}, timeout=30, **kwargs)

    def audit(self, action: str) -> list[tuple[str, str | None]]:
        with sqlite3.connect(self.database, timeout=10) as db:
            return db.execute("SELECT action, ip FROM portal_auditentry WHERE action = ? ORDER BY id",
                              [action]).fetchall()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(args, *, env, timeout=300, cwd=BASE_DIR) -> subprocess.CompletedProcess:
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{' '.join(map(str, args))} failed:\n{result.stdout}\n{result.stderr}"
    return result


def _portal_env(root: Path) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "SECURE_COOKIES", "SECURE_SSL_REDIRECT",
                        "SECURE_HSTS_SECONDS", "STATIC_MANIFEST", "DEBUG"} and not k.startswith("PORTAL_")}
    # The tests' own relaxations (pyproject's pytest env) do not reach the portal as deployed.
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=f"{HOST},127.0.0.1,localhost",
        CSRF_TRUSTED_ORIGINS=f"https://{HOST}",
        SITE_URL=f"https://{HOST}",
        TRUSTED_PROXIES="127.0.0.1",
        DATABASE_URL=f"sqlite:///{root / 'db.sqlite3'}",
        MEDIA_ROOT=str(root / "files"),
        STATIC_ROOT=str(root / "staticfiles"),
        AUDIT_CHECKPOINT_FILE=str(root / "var" / "audit-checkpoints.jsonl"),
        AUDIT_CHECKPOINT_KEY_FILE=str(root / "var" / "audit-checkpoint.key"),
        GUNICORN_BIND=f"unix:{root / 'gunicorn.sock'}",
        GUNICORN_WORKERS="2",
        GUNICORN_ACCESS_LOG=str(root / "gunicorn-access.log"),
        LOG_LEVEL="WARNING",
    )
    return env


def render_site(**values: str) -> str:
    """deploy/nginx/portal.conf.template with its ${PORTAL_...} names filled in, as envsubst does."""
    template = (DEPLOY / "nginx" / "portal.conf.template").read_text(encoding="utf-8")
    names = set(re.findall(r"\$\{(PORTAL_[A-Z_]+)\}", template))
    assert names == set(values), f"the template's placeholders are {sorted(names)}"
    return re.sub(r"\$\{(PORTAL_[A-Z_]+)\}", lambda m: values[m.group(1)], template)


def _nginx_conf(root: Path, site: Path) -> str:
    """A top-level nginx.conf that keeps everything nginx writes inside `root`."""
    temp = root / "nginx-temp"
    mime = "include /etc/nginx/mime.types;" if Path("/etc/nginx/mime.types").exists() else ""
    return f"""
{"user root;" if os.geteuid() == 0 else ""}
daemon off;
worker_processes 1;
pid {root / "nginx.pid"};
error_log {root / "nginx-error.log"} warn;
events {{ worker_connections 64; }}
http {{
    {mime}
    default_type application/octet-stream;
    access_log {root / "nginx-access.log"};
    client_body_temp_path {temp / "body"};
    proxy_temp_path {temp / "proxy"};
    fastcgi_temp_path {temp / "fastcgi"};
    uwsgi_temp_path {temp / "uwsgi"};
    scgi_temp_path {temp / "scgi"};
    include {site};
}}
"""


def _wait_until(ready, *, what: str, process: subprocess.Popen, log: Path, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{what} exited with {process.returncode}:\n{log.read_text(errors='replace') if log.exists() else ''}")
        if ready():
            return
        time.sleep(0.2)
    pytest.fail(f"{what} not ready after {timeout}s:\n{log.read_text(errors='replace') if log.exists() else ''}")


def _connects(family, address) -> bool:
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.settimeout(1)
        try:
            s.connect(address)
        except OSError:
            return False
    return True


def _stop(process: subprocess.Popen | None, sig=signal.SIGTERM):
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, sig)  # the process and its workers: a session of their own
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


@pytest.fixture(scope="module")
def deployment():
    if NGINX is None or OPENSSL is None:
        pytest.skip("nginx or openssl is not installed (make test installs them: TEST_APT_PACKAGES)")
    root = Path(tempfile.mkdtemp(prefix="portal-deploy-"))  # short: a socket path has 108 bytes
    gunicorn = nginx = collectstatic = None
    try:
        env = _portal_env(root)
        manage = [sys.executable, "manage.py"]
        # collectstatic needs no database: it runs beside the two slow steps.
        collectstatic_log = root / "collectstatic.log"
        with open(collectstatic_log, "wb") as log:
            collectstatic = subprocess.Popen([*manage, "collectstatic", "--noinput"], cwd=BASE_DIR, env=env,
                                             stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        _run([*manage, "migrate", "--noinput"], env=env)
        _run([*manage, "seed_demo"], env=env)
        assert collectstatic.wait(timeout=300) == 0, f"collectstatic failed:\n{collectstatic_log.read_text()}"

        tls = root / "tls"
        tls.mkdir()
        _run([OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={HOST}",
              "-addext", f"subjectAltName=DNS:{HOST},IP:127.0.0.1",
              "-keyout", tls / "key.pem", "-out", tls / "cert.pem"], env=env, timeout=60)

        gunicorn_log = root / "gunicorn.log"
        with open(gunicorn_log, "wb") as log:
            gunicorn = subprocess.Popen(
                [Path(sys.executable).parent / "gunicorn", "--config", DEPLOY / "gunicorn.conf.py",
                 "portal.wsgi:application"],
                cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        sock = root / "gunicorn.sock"
        _wait_until(lambda: sock.exists() and _connects(socket.AF_UNIX, str(sock)),
                    what="gunicorn", process=gunicorn, log=gunicorn_log, timeout=60)

        https_port, http_port = _free_port(), _free_port()
        site = root / "portal.conf"
        site.write_text(render_site(
            PORTAL_SERVER_NAME=HOST,
            PORTAL_HTTPS_LISTEN=f"127.0.0.1:{https_port}",
            PORTAL_HTTP_LISTEN=f"127.0.0.1:{http_port}",
            PORTAL_TLS_CERTIFICATE=str(tls / "cert.pem"),
            PORTAL_TLS_CERTIFICATE_KEY=str(tls / "key.pem"),
            PORTAL_STATIC_ROOT=env["STATIC_ROOT"],
            PORTAL_UPSTREAM=f"unix:{sock}",
        ), encoding="utf-8")
        conf = root / "nginx.conf"
        conf.write_text(_nginx_conf(root, site), encoding="utf-8")
        for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (root / "nginx-temp" / name).mkdir(parents=True)
        nginx_args = [NGINX, "-p", f"{root}/", "-e", root / "nginx-error.log", "-c", conf]
        checked = subprocess.run([*nginx_args, "-t"], capture_output=True, text=True, timeout=30)
        assert checked.returncode == 0, f"nginx -t refuses the rendered site:\n{checked.stderr}"

        nginx_log = root / "nginx-error.log"
        nginx = subprocess.Popen(nginx_args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                 start_new_session=True)
        _wait_until(lambda: _connects(socket.AF_INET, ("127.0.0.1", https_port)),
                    what="nginx", process=nginx, log=nginx_log, timeout=30)

        yield Deployment(root=root, https_port=https_port, http_port=http_port, database=root / "db.sqlite3",
                         gunicorn_access_log=root / "gunicorn-access.log", nginx_test_output=checked.stderr)
    finally:
        _stop(nginx, signal.SIGQUIT)  # graceful: let the workers finish, then the master exits
        _stop(gunicorn)
        _stop(collectstatic)
        shutil.rmtree(root, ignore_errors=True)


def _log_in(client, username: str, *, forwarded_for: str | None = None):
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    headers = {"Origin": f"https://{HOST}", "Referer": f"https://{HOST}/accounts/login/"}
    if forwarded_for:
        headers["X-Forwarded-For"] = forwarded_for
    response = client.post("/accounts/login/", headers=headers, follow_redirects=True,
                           data={"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text[:2000]
    assert response.url.path != "/accounts/login/", "the login was refused"
    return response


def test_the_rendered_site_passes_nginx_t(deployment):
    assert "syntax is ok" in deployment.nginx_test_output
    assert "test is successful" in deployment.nginx_test_output


def test_plain_http_is_redirected_to_https(deployment):
    response = httpx.get(f"http://127.0.0.1:{deployment.http_port}/directory/?q=x", headers={"Host": HOST},
                         timeout=10)
    assert response.status_code == 301
    assert response.headers["location"] == f"https://{HOST}/directory/?q=x"


def test_a_person_logs_in_searches_and_downloads_a_receipt_through_nginx(deployment):
    with deployment.client() as client:
        dashboard = _log_in(client, "ag_active")
        assert "上海浦江电气技能评价有限公司" in dashboard.text

        search = client.get("/directory/", params={"q": "电工"})
        assert search.status_code == 200
        assert "上海浦江电气技能评价有限公司" in search.text

        pk = _receipt_filing_pk(deployment)
        receipt = client.get(f"/filings/{pk}/receipt/")
        assert receipt.status_code == 200
        assert receipt.headers["content-type"] == "application/pdf"
        assert receipt.content.startswith(b"%PDF")


def test_the_audit_trail_records_the_client_nginx_saw_not_a_forged_x_forwarded_for(deployment):
    with deployment.client() as client:
        _log_in(client, "ag_active", forwarded_for=FORGED_ADDRESS)
        receipt = client.get(f"/filings/{_receipt_filing_pk(deployment)}/receipt/",
                             headers={"X-Forwarded-For": f"{FORGED_ADDRESS}, 127.0.0.1"})
        assert receipt.status_code == 200

    assert deployment.audit("account.login")[-1] == ("account.login", CLIENT_ADDRESS)
    assert deployment.audit("receipt.download")[-1] == ("receipt.download", CLIENT_ADDRESS)


def test_nginx_replaces_a_forged_x_forwarded_for_even_from_a_trusted_address(deployment):
    """A client on the proxy's own address (127.0.0.1) is the one case read-from-the-right cannot
    save: had nginx appended to the client's header, the forged hop would be the nearest untrusted
    one and be believed. nginx overwrites it, so nothing forged reaches the audit trail."""
    with deployment.client(local_address="127.0.0.1") as client:
        _log_in(client, "ag_active", forwarded_for=FORGED_ADDRESS)
    assert deployment.audit("account.login")[-1][1] != FORGED_ADDRESS


def test_static_files_are_served_by_nginx_with_a_long_cache(deployment):
    with deployment.client() as client:
        page = client.get("/accounts/login/")
        stylesheet = re.search(r'href="(/static/[^"]+\.css)"', page.text).group(1)
        response = client.get(stylesheet)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")
    assert "immutable" in response.headers["cache-control"]
    assert "max-age=31536000" in response.headers["cache-control"]
    access_log = deployment.gunicorn_access_log.read_text(encoding="utf-8")
    assert "/accounts/login/" in access_log
    assert "/static/" not in access_log, "a static file reached gunicorn"


def test_uploaded_files_have_no_url(deployment):
    with deployment.client() as client:
        assert client.get("/files-not-served/").status_code == 404


def test_a_body_above_the_upload_limit_is_refused_by_nginx(deployment):
    """client_max_body_size stops an oversized upload before it reaches (and holds) a worker."""
    context = ssl.create_default_context(cafile=str(deployment.root / "tls" / "cert.pem"))
    with socket.create_connection(("127.0.0.1", deployment.https_port), timeout=10,
                                  source_address=(CLIENT_ADDRESS, 0)) as raw:
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            tls.sendall(f"POST /accounts/login/ HTTP/1.1\r\nHost: {HOST}\r\nContent-Length: {30 * 1024 * 1024}\r\n"
                        "Content-Type: application/octet-stream\r\n\r\n".encode())
            status_line = tls.recv(1024).split(b"\r\n", 1)[0]
    assert status_line == b"HTTP/1.1 413 Request Entity Too Large"


def _receipt_filing_pk(deployment) -> int:
    """The filing of ag_active's agency that has a current receipt (seed_demo makes exactly one)."""
    with sqlite3.connect(deployment.database, timeout=10) as db:
        row = db.execute(
            """SELECT f.id FROM filings_filing f
               JOIN portal_user u ON u.agency_id = f.agency_id
               JOIN filings_receipt r ON r.filing_id = f.id
               WHERE u.username = 'ag_active' AND r.superseded_at IS NULL
               ORDER BY f.id DESC LIMIT 1""").fetchone()
    assert row, "seed_demo made no receipt for ag_active"
    return row[0]


def test_every_variable_of_the_environment_template_is_read_by_the_portal():
    """deploy/portal.env.example names only settings that exist, so an operator's file cannot
    silently carry a misspelt or retired variable."""
    readers = "\n".join(path.read_text(encoding="utf-8") for path in [
        BASE_DIR / "portal" / "settings.py", DEPLOY / "gunicorn.conf.py", *DEPLOY.glob("systemd/*.service")])
    template = (DEPLOY / "portal.env.example").read_text(encoding="utf-8")
    names = re.findall(r"^([A-Z][A-Z0-9_]*)=", template, flags=re.MULTILINE)
    assert "SECRET_KEY" in names and "TRUSTED_PROXIES" in names
    assert [name for name in names if not re.search(rf"[\"{{]{name}[\"}}]", readers)] == []
