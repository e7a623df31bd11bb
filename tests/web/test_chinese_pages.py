"""Chinese pages read as Chinese: a small simulated branch (simulated, imported, scored like the demo), every page
for every role, and no internal code shown as text.

The codes are collected from where they are defined (segments.toml keys, lifecycle, task, outcome, channel and
status values, market model ids, snapshot field names, import statuses and profiles) and looked for as whole words
in the visible text (tags, scripts and attributes stripped). English pages show Chinese only in names (clients,
advisors, branches, staff) and stock names.
"""

from __future__ import annotations

import html
import re

import pytest
from django.core.cache import cache

PAGES = ["/", "/today/", "/clients/", "/clients/{client}/", "/funnel/", "/branch/", "/market/", "/campaigns/",
         "/imports/", "/imports/batch/{batch}/", "/audit/", "/consent/{client}/", "/no-such-page/"]
USERS = ["manager", "director", "compliance", "admin", "advisor01"]
PASSWORD = "panhuo-demo-2026"
CJK = re.compile(r"[\u3400-\u9fff]+")


def visible_text(body: str) -> str:
    body = re.sub(r"(?is)<(script|style|template)[^>]*>.*?</\1>", " ", body)
    body = re.sub(r"(?s)<[^>]+>", " ", body)
    return re.sub(r"\s+", " ", html.unescape(body))


def internal_codes() -> set[str]:
    from panhuo.analytics.segments import load_config
    from panhuo.clients.models import (
        Channel,
        ClientSnapshot,
        Lifecycle,
        Outcome,
        Stage,
        TaskKind,
        TaskStatus,
        Track,
    )
    from panhuo.market.models import MODELS
    from panhuo.warehouse.schema import all_tables

    codes = {str(v) for choices in (Lifecycle, TaskKind, TaskStatus, Outcome, Channel, Track) for v in choices.values}
    for section in load_config().values():
        if isinstance(section, dict):
            codes |= {b["key"] for b in section.get("bands", []) if isinstance(b, dict) and "key" in b}
            if isinstance(section.get("none"), dict):
                codes.add(section["none"]["key"])
    codes |= set(MODELS)
    codes |= set(all_tables()) | {"client_master"}        # the import's table names
    codes |= {f.name for f in ClientSnapshot._meta.get_fields() if "_" in f.name}
    codes |= {"loaded", "rejected", "partial", "simulator", "phone", "table", "total_assets", "treatment", "control",
              "excluded", "resumed"}
    codes -= {str(v) for v in Stage.values}            # A/B/C/D are what staff call the stages
    return {c for c in codes if re.fullmatch(r"[a-z][a-z0-9_]*", c)}


@pytest.fixture
def small_branch(tmp_path, monkeypatch, django_db_blocker, settings):
    """120 clients over a year: simulated, imported through the real import path, scored by the daily run."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    monkeypatch.setenv("PANHUO_HOME", str(tmp_path))
    cache.clear()
    from panhuo.accounts.services import demo_users_create
    from panhuo.analytics.pipeline import latest_data_date
    from panhuo.daily import daily_run
    from panhuo.imports.services import import_batch
    from panhuo.simulate import SimConfig, simulate
    from panhuo.warehouse import open_warehouse

    sim = tmp_path / "sim"
    simulate(SimConfig(clients=120, years=1, seed=20261206), sim, export=True)
    batch = import_batch(paths=[sim / "export"], profile="simulator")
    with open_warehouse() as wh:
        daily_run(wh=wh, as_of=latest_data_date(wh))
    demo_users_create(password=PASSWORD)
    yield batch
    cache.clear()


def _pages_for(client, batch_key: str) -> list[str]:
    from panhuo.clients.models import Client

    ids = client.get("/clients/").context["rows"]
    cid = ids[0]["client_id"] if ids else Client.objects.order_by("client_id").first().client_id
    return [p.format(client=cid, batch=batch_key) for p in PAGES]


def _names() -> set[str]:
    """Data, not interface text: names of people, branches and places, source file names; the brand 盘活."""
    from panhuo.accounts.models import User
    from panhuo.clients.models import Advisor, Branch, Client
    from panhuo.imports.models import ImportBatch

    files = {f["name"].rsplit(".", 1)[0] for b in ImportBatch.objects.all() for f in b.files}
    return ({"盘活"} | files | {n for n in Client.objects.values_list("region", flat=True) if n}
            | {n for n in Client.objects.values_list("name", flat=True) if n}
            | {n for n in Advisor.objects.values_list("name", flat=True) if n}
            | {n for n in Branch.objects.values_list("name", flat=True) if n}
            | {n for n in User.objects.values_list("first_name", flat=True) if n})


@pytest.mark.django_db(transaction=True)
def test_chinese_pages_show_no_internal_code_and_english_pages_no_chinese_but_names(client, small_branch):
    from panhuo.accounts.models import User

    codes = internal_codes()
    word = re.compile(r"(?<![A-Za-z0-9_.])(" + "|".join(sorted(map(re.escape, codes), key=len, reverse=True))
                      + r")(?![A-Za-z0-9_])")
    names = sorted(_names(), key=len, reverse=True)
    found, chinese, seen = {}, {}, 0
    for username in USERS:
        client.force_login(User.objects.get(username=username))
        for lang in ("zh-hans", "en"):
            client.cookies["django_language"] = lang
            for path in _pages_for(client, small_branch.key):
                r = client.get(path)
                if r.status_code in (301, 302):
                    continue
                for pool in (r.context or {}).get("pools") or []:      # industries, like stock names, are data
                    names.extend(e["industry"] for e in pool.get("entries", []) if e.get("industry"))
                seen += 1
                text = visible_text(r.content.decode())
                if lang == "zh-hans":
                    hits = sorted(set(word.findall(text)))
                    if hits:
                        found[(username, path)] = hits
                else:
                    rest = text.replace("简体中文", "")
                    for n in sorted(set(names), key=len, reverse=True):
                        rest = rest.replace(n, "")
                    rest = re.sub(r"[\u3400-\u9fff]+[A-Z]?\s*\(?\d{6}\.(SZ|SH|BJ)", "", rest)   # stock names
                    left = sorted(set(CJK.findall(rest)))
                    if left:
                        chinese[(username, path)] = left
    assert seen >= len(USERS) * 2 * 8
    assert not found, f"internal codes on Chinese pages: {found}"
    assert not chinese, f"Chinese on English pages outside names: {chinese}"
