"""Every URL needs a login, except an explicit allowlist (login, health, language switch, static)."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# Route names reachable without logging in, and why.
ALLOWLIST = {
    "login",          # the way in
    "health",         # monitors; reveals only "ok"
    "set_language",   # the language switch on the login page; sets a cookie and redirects
    "admin:login",    # Django admin's own login form
    # the unsubscribe link in campaign emails: a signed token names one client and channel; it only records a
    # refusal (on POST) and shows nothing about the client
    "campaigns:unsubscribe",
    # the SMS gateway's reply callback (退订/TD): POST only, needs the shared secret header, else 403/405
    "campaigns:sms_inbound",
    # a questionnaire link sent to a client: a signed token that expires and works once names the client and the
    # questionnaire; the page shows only the questions and records the answers
    "surveys:public",
    # the REST API's OpenAPI schema: describes the endpoints, holds no data
    "api:schema",
    # an event registration link sent to a client: a signed token that expires (and closes with the event) names a
    # registration by a random key; the page shows the event, the client's own answer and their check-in code
    "events:public",
}
# The REST API authenticates each request by its bearer token, not by a log-in: without one it answers 401.
TOKEN_ONLY = "api:"
SAMPLE = {"int": "1", "str": "X0001", "slug": "x", "path": "x/y", "uuid": "00000000-0000-0000-0000-000000000000"}


def _walk(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), f"{namespace}{p.name}" if p.name else None


def _sample_path(route: str) -> str:
    route = route.lstrip("^").rstrip("$").replace("\\Z", "")
    route = re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: SAMPLE.get(m.group(1) or "str", "x"), route)
    # Admin regex routes such as (?P<app_label>auth|clients)/ — pick the first alternative.
    route = re.sub(r"\(\?P<\w+>([^|)]+)[^)]*\)", r"\1", route)
    route = route.replace("\\", "")
    return "/" + route


ROUTES = sorted({(_sample_path(r), n or r) for r, n in _walk(get_resolver().url_patterns)})


def test_the_walk_finds_the_app_routes():
    names = {n for _, n in ROUTES}
    assert {"home", "login", "health", "admin:index"} <= names


@pytest.mark.parametrize(("path", "name"), ROUTES, ids=[n for _, n in ROUTES])
def test_route_needs_login(client, db, path, name):
    response = client.get(path)
    if name in ALLOWLIST:
        # 400: the unsubscribe and questionnaire pages refuse a made-up token, which is what a sample path is.
        assert response.status_code in (200, 302, 405) or (name in ("campaigns:unsubscribe", "surveys:public", "events:public") and
                                                           response.status_code == 400), (path, response.status_code)
        return
    if name.startswith(TOKEN_ONLY):
        assert response.status_code == 401, (path, response.status_code)
        return
    assert response.status_code == 302, f"{name} ({path}) answered {response.status_code} without login"
    assert re.match(r"^/(accounts|admin)/login/", response["Location"]), response["Location"]


def test_static_is_served_without_login(client, db):
    response = client.get("/static/panhuo/css/panhuo.css")
    assert response.status_code == 200
