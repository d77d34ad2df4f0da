"""Gunicorn's settings for the portal, read from the environment (/etc/portal/portal.env).

portal-web.service starts `gunicorn -c deploy/gunicorn.conf.py portal.wsgi`; the CI smoke test
(tests/test_deploy_nginx.py) starts it the same way behind the same nginx site.
"""

import multiprocessing
import os

# Under systemd the socket comes from portal-web.socket (socket activation: systemd owns the
# socket's mode and group, so nginx can reach it and nobody else can) and this bind is ignored.
bind = os.environ.get("GUNICORN_BIND", "unix:/run/portal/gunicorn.sock")
workers = int(os.environ.get("GUNICORN_WORKERS") or multiprocessing.cpu_count() * 2 + 1)
# A receipt renders in a few seconds; a hung request must not hold a worker much longer than
# nginx waits for it (proxy_read_timeout 90s).
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 60)
graceful_timeout = 30
# Recycle workers now and then, so that a slow leak in a library never reaches the OOM killer.
max_requests = 2000
max_requests_jitter = 200
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "warning").lower()
# Forwarded headers are Django's to judge (SECURE_PROXY_SSL_HEADER; TRUSTED_PROXIES in
# portal/audit.py), so gunicorn's own forwarded_allow_ips stays at its default.
