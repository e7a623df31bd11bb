"""Every page carries a Content-Security-Policy that runs no inline script, plus nosniff and a same-origin
referrer policy; and no template relies on what that policy refuses (inline scripts, on…= handlers, style=)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TEMPLATES = sorted((Path(__file__).resolve().parents[2] / "src" / "panhuo").glob("*/templates/**/*.html"))


def _directives(header: str) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in (p.strip() for p in header.split(";")) if d}


def _assert_hardened(response):
    csp = _directives(response["Content-Security-Policy"])
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["default-src"] == ["'self'"] and csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] in ("same-origin", "no-referrer", "strict-origin")


def test_the_login_page_has_the_security_headers(client):
    _assert_hardened(client.get("/accounts/login/"))


def test_a_page_with_client_data_has_the_security_headers(cast, client):
    client.force_login(cast.users["alice"])
    response = client.get("/clients/")
    assert response.status_code == 200
    _assert_hardened(response)


def test_the_lockout_page_has_the_security_headers(cast, client):
    for _ in range(5):
        response = client.post("/accounts/login/", {"username": "alice", "password": "wrong-one"})
    assert response.status_code == 429
    _assert_hardened(response)


def test_templates_were_found():
    assert len(TEMPLATES) > 10


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_template_uses_inline_script_or_style(path):
    text = re.sub(r"\{#.*?#\}|\{% comment %\}.*?\{% endcomment %\}", "", path.read_text(encoding="utf-8"), flags=re.S)
    # A <script> must load a file (src=) or be data (json_script writes type="application/json").
    for attrs, body in re.findall(r"<script\b([^>]*)>(.*?)</script>", text, re.S | re.I):
        assert "src=" in attrs or "application/json" in attrs or not body.strip(), f"inline script: {body[:80]}"
    assert not re.search(r"\son[a-z]+\s*=", text, re.I), "inline event handler (onclick=, onchange=, …)"
    assert not re.search(r"\sstyle\s*=", text, re.I), "style= attribute"
    assert "<style" not in text.lower(), "<style> element"
    assert "javascript:" not in text.lower()
