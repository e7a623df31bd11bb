"""Every page, every role, both languages, in a real browser.

The routes are discovered from the URLconf, so a page added later is walked without touching this file. A route
with parameters needs a sample (SAMPLES: how to find a real object for it in the seeded branch); one without a
sample fails the test with "add a sample for route X", unless it answers GET with 405 (a form's POST endpoint,
not a page). Each page is opened as each role (advisor, director, manager, compliance, admin) in Chinese and in
English (one test per role, each in its own Chromium; the director's in `make test`, the others in the slow tier),
and must show no server error; a Chinese page must show no internal code (the list of test_chinese_pages) and no
English string that has a translation. Each page
is saved as test-artifacts/pages/<page>-<role>-<lang>.png. The advisor's daily pages (PHONE_PAGES) are opened once
more on a phone-sized screen, and must not be wider than it (<page>-advisor-zh-phone.png).

While working on a few pages, PANHUO_WALK_ONLY=funnel,client (parts of route names, comma-separated) walks only
those; the full walk (the default) is what the suite runs.
"""

from __future__ import annotations

import os
import re
from datetime import date

import pytest
from django.test import Client as DjangoClient
from django.urls import URLPattern, URLResolver, get_resolver

from tests.web.browser import ARTIFACTS, browser_or_skip, launch, log_in, save_page, untranslated_on
from tests.web.test_chinese_pages import PASSWORD, internal_codes, small_branch, visible_text  # noqa: F401

pytestmark = pytest.mark.browser

ROLES = {"advisor": "advisor01", "director": "director", "manager": "manager", "compliance": "compliance",
         "admin": "admin"}
LANGS = ("zh-hans", "en")
# Not staff pages of panhuo: Django's admin site (its own templates and translations), the log-in and
# language-switch forms every walk already goes through, the load balancer's health probe.
NOT_PAGES = {"login", "logout", "set_language", "health"}
SKIP_PREFIXES = ("admin/", "api/")   # the admin site; the REST API (tests/api: tokens, no pages)
PHONE_PAGES = {"home", "workbench:today", "workbench:clients", "workbench:client", "workbench:funnel",
               "campaigns:list", "appraisal:team"}


def _month_before(day: date) -> str:
    first = day.replace(day=1)
    prev = date(first.year - (first.month == 1), 12 if first.month == 1 else first.month - 1, 1)
    return prev.strftime("%Y-%m")


def _samples() -> dict[str, object]:
    """route name -> kwargs of a real object in the seeded branch (None when the branch holds none: the walk then
    says so). A new page with parameters adds its line here."""
    from panhuo.campaigns.models import Campaign
    from panhuo.clients.models import Advisor, Client
    from panhuo.imports.models import ImportBatch
    from panhuo.surveys.files import questionnaires_all

    client = Client.objects.filter(advisor__isnull=False).order_by("advisor__advisor_id", "client_id").first()
    advisor = Advisor.objects.order_by("advisor_id").first()
    batch = ImportBatch.objects.order_by("pk").first()
    camp = Campaign.objects.order_by("pk").first()
    key = min(k for k, _ in questionnaires_all())
    month = _month_before(date.today())

    def of(obj, make):
        return make(obj) if obj is not None else None

    out: dict[str, object] = {
        # public pages reached by a signed link: a mangled token shows their refusal page
        "campaigns:unsubscribe": {"token": "not-a-valid-token"}, "surveys:public": {"token": "not-a-valid-token"},
        "imports:detail": of(batch, lambda b: {"batch_id": b.pk}), "imports:batch": of(batch, lambda b: {"key": b.key}),
        "surveys:take": of(client, lambda c: {"client_id": c.client_id, "key": key}),
    }
    for name in ("workbench:client", "workbench:client_contact", "campaigns:consent", "surveys:warning"):
        out[name] = of(client, lambda c: {"client_id": c.client_id})
    for name in ("appraisal:scorecard", "appraisal:scorecard_xlsx", "appraisal:scorecard_pdf"):
        out[name] = of(advisor, lambda a: {"advisor_code": a.advisor_id, "month": month})
    out["appraisal:advisor"] = of(advisor, lambda a: {"advisor_code": a.advisor_id})
    for name in ("campaigns:detail", "campaigns:edit", "campaigns:launch", "campaigns:progress",
                 "campaigns:export"):
        out[name] = of(camp, lambda c: {"campaign_id": c.pk})
    out.update(_samples_of_later_pages(of))
    return out


def _samples_of_later_pages(of) -> dict[str, object]:
    """Events, complaints and call-backs, training, the service plan (their demo seeders made the objects).
    OPTIONAL: objects the small branch may not hold (an event's file, a certificate): walked when there."""
    from panhuo.accounts.models import User
    from panhuo.clients.models import Client, Complaint, Event, ServicePlanVersion
    from panhuo.complaints.models import Callback
    from panhuo.training.models import Attempt, Certificate, Course

    event = Event.objects.order_by("pk").first()
    plan = ServicePlanVersion.objects.select_related("plan__client").order_by("pk").first()
    attempt = Attempt.objects.order_by("pk").first()
    certificate = Certificate.objects.order_by("pk").first()
    staff = User.objects.filter(username="advisor01").first()
    out: dict[str, object] = {
        "events:public": {"token": "not-a-valid-token"},
        "complaints:detail": of(Complaint.objects.order_by("pk").first(), lambda c: {"pk": c.pk}),
        "complaints:callback": of(Callback.objects.order_by("pk").first(), lambda c: {"pk": c.pk}),
        "training:course": of(Course.objects.order_by("pk").first(), lambda c: {"key": c.key}),
        "training:attempt": of(attempt, lambda a: {"attempt_id": a.pk}),
        "training:person": of(staff, lambda u: {"username": u.username}),
        "surveys:plan": of(Client.objects.filter(advisor__isnull=False).order_by("client_id").first(),
                           lambda c: {"client_id": c.client_id}),
        "training:certificate": OPTIONAL if certificate is None else {"number": certificate.number},
    }
    for name in ("events:detail", "events:edit", "events:checkin"):
        out[name] = of(event, lambda e: {"event_id": e.pk})
    for name in ("surveys:plan_version", "surveys:plan_pdf"):
        out[name] = OPTIONAL if plan is None else {"client_id": plan.plan.client.client_id,
                                                     "version": plan.version}
    file = event.files.order_by("pk").first() if event is not None else None
    out["events:file"] = OPTIONAL if file is None else {"event_id": event.pk, "file_id": file.pk}
    return out


OPTIONAL = "optional"
# Routes that answer with a file (PDF, Excel, an event's material): fetched, not opened as pages.
DOWNLOADS = {"surveys:plan_pdf", "events:file", "training:certificate", "appraisal:scorecard_xlsx",
             "appraisal:scorecard_pdf"}


def _walk(patterns, prefix: str = "", ns: str = ""):
    for p in patterns:
        if isinstance(p, URLResolver):
            inner = f"{ns}:{p.namespace}" if ns and p.namespace else (p.namespace or ns)
            yield from _walk(p.url_patterns, prefix + str(p.pattern), inner)
        elif isinstance(p, URLPattern):
            name = f"{ns}:{p.name}" if ns and p.name else (p.name or "")
            yield prefix + str(p.pattern), name, p


DUMMY = {"int": "999999", "str": "x", "slug": "x", "month": "2020-01", "path": "x", "uuid": "0" * 32}


def _url(route: str, kwargs: dict) -> str:
    def sub(m):
        return str(kwargs[m.group(2)])
    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", sub, route)


def _dummy_url(route: str) -> str:
    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: DUMMY.get(m.group(1) or "str", "x"), route)


def discover(probe) -> tuple[list[tuple[str, str]], list[str]]:
    """(name, url) of every page to walk, and the problems (routes with parameters that have no sample)."""
    samples = _samples()
    pages, problems = [], []
    for route, name, _ in _walk(get_resolver().url_patterns):
        if route.startswith(SKIP_PREFIXES) or name in NOT_PAGES or "(?P<" in route or route.startswith("^"):
            continue
        if "<" not in route:
            if probe.get("/" + route).status_code != 405:
                pages.append((name, "/" + route))
            continue
        if name in samples:
            if samples[name] == OPTIONAL:
                continue
            if samples[name] is None:
                problems.append(f"the sample for route {name} ({route}) found no object in the seeded branch")
            elif probe.get(_url(route, samples[name])).status_code != 405:      # a POST endpoint is no page
                pages.append((name, _url(route, samples[name])))
        elif probe.get(_dummy_url(route)).status_code != 405:
            problems.append(f"add a sample for route {name} ({route}) to SAMPLES in {__name__}")
    return pages, problems


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "home"


# `make test` walks every page as the director (who sees the most pages) in both languages, and the advisor's
# daily pages on a phone; the other roles' walks are the slow tier (`make test-slow`, which CI runs too).
WALK_ROLES = [pytest.param(role, marks=() if role == "director" else pytest.mark.slow) for role in ROLES]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", WALK_ROLES)
def test_every_page_for_every_role_in_both_languages(live_server, small_branch, role):  # noqa: F811
    sync_api = browser_or_skip()
    from panhuo.accounts.models import User
    from panhuo.clients.registry import demo_seeders

    for _, seeder in demo_seeders():        # the records the pages show (contacts, campaigns, scorecards)
        seeder(as_of=_as_of(), seed=20261206)
    probe = DjangoClient()
    probe.force_login(User.objects.get(username="admin"))
    pages, problems = discover(probe)
    assert len(pages) >= 20, pages
    only = [w for w in os.environ.get("PANHUO_WALK_ONLY", "").split(",") if w]
    if only:
        pages = [(name, url) for name, url in pages if any(w in name for w in only)]
    codes = internal_codes()
    word = re.compile(r"(?<![A-Za-z0-9_.])(" + "|".join(sorted(map(re.escape, codes), key=len, reverse=True))
                      + r")(?![A-Za-z0-9_])")
    out = ARTIFACTS / "pages"
    out.mkdir(parents=True, exist_ok=True)
    errors, codes_shown, english, too_wide, seen = {}, {}, {}, {}, 0
    with sync_api.sync_playwright() as pw:
        browser = launch(pw)
        context = browser.new_context(viewport={"width": 1280, "height": 800}, reduced_motion="reduce")
        page = context.new_page()
        log_in(page, live_server.url, ROLES[role], PASSWORD)
        for lang in LANGS:
            context.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])
            for name, url in pages:
                key = f"{_slug(name)}-{role}-{lang[:2]}"
                if url.endswith((".xlsx", ".pdf")) or name in DOWNLOADS or "export" in name:   # not pages
                    r = context.request.get(live_server.url + url)
                    if r.status >= 500:
                        errors[key] = r.status
                    continue
                response = page.goto(live_server.url + url, wait_until="load")
                seen += 1
                if response is None or response.status >= 500:
                    errors[key] = response.status if response else "no response"
                    continue
                save_page(page, out / f"{key}.png")
                if lang == "zh-hans":
                    text = visible_text(page.content())
                    hits = sorted(set(word.findall(text)))
                    if hits:
                        codes_shown[key] = hits
                    left = untranslated_on(page.inner_text("body"))
                    if left:
                        english[key] = left
        context.close()
        # On a phone (390 px) the advisor's daily pages fit the screen: nothing wider than it (wide tables scroll
        # inside themselves, Today's tasks become cards). Checked in the director's walk, so `make test` has it.
        if role == "director":
            phone = browser.new_context(viewport={"width": 390, "height": 844}, reduced_motion="reduce")
            page = phone.new_page()
            log_in(page, live_server.url, ROLES["advisor"], PASSWORD)
            for name, url in pages:
                if name in PHONE_PAGES:
                    page.goto(live_server.url + url, wait_until="load")
                    save_page(page, out / f"{_slug(name)}-advisor-zh-phone.png")
                    width = page.evaluate("document.documentElement.scrollWidth")
                    if width > 391:
                        too_wide[name] = width
            phone.close()
        browser.close()
    assert not problems, "\n".join(problems)
    assert only or seen >= len(LANGS) * 15
    assert not errors, f"server errors: {errors}"
    assert not codes_shown, f"internal codes on Chinese pages: {codes_shown}"
    assert not english, f"untranslated English on Chinese pages: {english}"
    assert not too_wide, f"pages wider than a phone's screen (390 px): {too_wide}"


def _as_of() -> date:
    from panhuo.clients.models import ClientSnapshot

    return ClientSnapshot.objects.order_by("-as_of").values_list("as_of", flat=True).first()
