"""A crawl of every page without an id as every role: no server error anywhere, whoever asks
[STYLE 16]. Pages that take an id are walked by tests/test_url_walk.py and the supervision matrices;
this one catches the lists, forms and public pages an id-walk never reaches."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

from tests.test_url_walk import _login, _users

# Answers a person may legitimately get from a page without an id: the page, a redirect (sign in,
# or on to where the role belongs), refused, not found, wrong method, gone, too many requests.
FINE = {200, 301, 302, 303, 400, 403, 404, 405, 410, 429}


def _plain_routes(patterns, prefix=""):
    for p in patterns:
        route = (str(p.pattern._route) if isinstance(p.pattern, RoutePattern)
                 else p.pattern._regex if isinstance(p.pattern, RegexPattern) else str(p.pattern))
        if isinstance(p, URLResolver):
            yield from _plain_routes(p.url_patterns, prefix + route)
        elif isinstance(p, URLPattern):
            full = prefix + route
            if "<" in full or "(?P" in full or full.startswith("admin/"):
                continue
            yield "/" + full.replace("^", "").replace("$", "").replace("\\", "")


def test_every_page_without_an_id_answers_every_role_without_a_server_error(world, client):
    users = _users(world)
    routes = sorted(set(_plain_routes(get_resolver().url_patterns)))
    assert len(routes) > 10
    problems = []
    for role, user in users.items():
        for url in routes:
            if url.rstrip("/").endswith("logout"):
                continue
            _login(client, user)
            try:
                status = client.get(url).status_code
            except Exception as exc:  # noqa: BLE001 — the crawl reports every page that breaks, not the first
                problems.append(f"{role} {url}: {type(exc).__name__}: {exc}")
                continue
            if status not in FINE:
                problems.append(f"{role} {url}: {status}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("url", ["/supervision/", "/api/v1/"])
def test_an_unknown_address_under_each_mount_is_not_found(client, db, url):
    assert client.get(url + "no-such-page/").status_code == 404


def test_each_roles_navigation_holds_only_pages_it_may_open(world, client):
    """Each role's menu leads only to pages that open for it [issue 10 §21]; the footer's public
    pages open for everyone, signed in or not."""
    from portal.context_processors import NAVIGATION, _resolve
    from portal.models import Role

    users = _users(world)
    problems = []
    for role, user in users.items():
        key = None if user is None else (Role.ADMIN if user.is_superuser else user.role)
        _login(client, user)
        for item in _resolve(NAVIGATION.get(key, []), "/"):
            status = client.get(item["url"]).status_code
            if status != 200:
                problems.append(f"{role}: {item['label']} {item['url']} → {status}")
    assert not problems, "\n".join(problems)
