"""The events pages: access (an advisor sees only their own clients' registrations; out of reach is a 404),
capabilities, investor education that names a product, and every page in Chinese and English without internal
codes."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from panhuo.clients.events import checkin_token, link_token
from panhuo.clients.models import (
    EventKind,
    EventRegistration,
    EventStatus,
    MaterialsReview,
    RegistrationStatus,
    RegistrationVia,
)
from panhuo.events import services
from tests.events.conftest import at, make_event
from tests.web.test_chinese_pages import CJK, internal_codes, visible_text

PRODUCT_MATERIALS = "一、认识风险\n二、推荐华夏成长混合型基金（000001），现在认购正当时"


@pytest.fixture
def event_with_clients(cast):
    event = make_event(cast)
    services.event_register(user=cast.users["alice"], event=event, client=cast.clients["CA001"])
    services.event_register(user=cast.users["bob"], event=event, client=cast.clients["CB001"])
    return event


def test_an_advisor_sees_only_their_own_clients_registrations(client, cast, event_with_clients):
    client.force_login(cast.users["alice"])
    page = client.get(reverse("events:detail", args=[event_with_clients.pk])).content.decode()
    assert "CA001" in page and "CB001" not in page
    client.force_login(cast.users["director_a"])
    page = client.get(reverse("events:detail", args=[event_with_clients.pk])).content.decode()
    assert "CA001" in page and "CB001" in page


def test_out_of_reach_is_a_404(client, cast, event_with_clients):
    event = event_with_clients
    client.force_login(cast.users["charlie"])                     # another branch's advisor
    assert client.get(reverse("events:detail", args=[event.pk])).status_code == 404
    assert client.get(reverse("events:checkin", args=[event.pk])).status_code == 404
    client.force_login(cast.users["alice"])
    # Bob's client: not registered by Alice, its registration neither cancelled nor linked by her.
    r = client.post(reverse("events:register", args=[event.pk]), {"client": "CB002"})
    assert r.status_code == 404
    bobs = EventRegistration.objects.get(event=event, client__client_id="CB001")
    for name in ("cancel_registration", "link"):
        assert client.post(reverse(f"events:{name}", args=[event.pk, bobs.pk])).status_code == 404
    assert EventRegistration.objects.get(pk=bobs.pk).status == RegistrationStatus.REGISTERED
    # A page of her own client works.
    assert client.post(reverse("events:register", args=[event.pk]), {"client": "CA002"}).status_code == 302
    assert EventRegistration.objects.filter(event=event, client__client_id="CA002").exists()


def test_who_may_plan_close_and_approve(client, cast):
    for who, code in (("alice", 403), ("compliance", 403), ("director_a", 200), ("manager_a", 200)):
        client.force_login(cast.users[who])
        assert client.get(reverse("events:new")).status_code == code, who
    event = make_event(cast, approve=False)
    services.materials_submit(user=cast.users["director_a"], event=event)
    with pytest.raises(PermissionDenied):                            # the planner never approves their own
        services.materials_decide(user=cast.users["director_a"], event=event, approve=True)
    with pytest.raises(ValidationError):                             # a rejection needs a reason
        services.materials_decide(user=cast.users["compliance"], event=event, approve=False)


def test_investor_education_that_names_a_product_is_flagged_and_cannot_be_approved(client, cast):
    event = make_event(cast, materials=PRODUCT_MATERIALS, approve=False)
    services.materials_submit(user=cast.users["director_a"], event=event)
    flagged = [p["matched"] for p in services.materials_problems(event)]
    assert any("000001" in m for m in flagged) and any("基金" in m for m in flagged)
    with pytest.raises(ValidationError):
        services.materials_decide(user=cast.users["compliance"], event=event, approve=True)
    event.refresh_from_db()
    assert event.review == MaterialsReview.SUBMITTED
    client.force_login(cast.users["compliance"])
    page = client.get(reverse("events:reviews")).content.decode()
    assert "000001" in page and 'value="approve"' not in page
    # The same words in a strategy meeting are not education: compliance may approve them.
    strategy = make_event(cast, materials=PRODUCT_MATERIALS, kind=EventKind.STRATEGY, title="策略会")
    assert strategy.review == MaterialsReview.APPROVED
    # Teaching what a fund is names no product.
    assert services.materials_problems(make_event(cast, materials="什么是基金？股票和基金的区别", approve=False)) == []


def test_an_edit_of_approved_materials_goes_back_to_review(cast):
    event = make_event(cast)
    services.event_update(user=cast.users["director_a"], event=event, materials=event.materials + "\n四、答疑")
    event.refresh_from_db()
    assert event.review == MaterialsReview.NONE
    with pytest.raises(ValidationError):
        services.event_register(user=cast.users["alice"], event=event, client=cast.clients["CA001"])


def _names(cast, *events) -> list[str]:
    from panhuo.clients.models import Advisor, Branch, Client

    names = set(Client.objects.values_list("name", flat=True)) | set(Advisor.objects.values_list("name", flat=True))
    names |= set(Branch.objects.values_list("name", flat=True)) | {"盘活"}
    for e in events:
        names |= {e.title, e.topic, e.venue, e.speaker} | set(e.materials.splitlines())
        names |= {p["matched"] for p in services.materials_problems(e)}      # flagged words: data
    return sorted((n for n in names if n), key=len, reverse=True)


@pytest.mark.django_db
def test_pages_in_chinese_and_english_show_no_internal_code(client, cast, event_with_clients):
    event = event_with_clients
    held = make_event(cast, title="客户沙龙", kind="salon", days=0)
    reg = services.event_register(user=cast.users["alice"], event=held, client=cast.clients["CA002"], now=at(-1))
    services.event_check_in(user=cast.users["alice"], event=held, token_or_code=reg.code)
    services.event_close(user=cast.users["director_a"], event=held)      # a follow-up task on Alice's Today
    tomorrow = make_event(cast, title="策略会", kind="strategy", days=1)
    services.event_register(user=cast.users["alice"], event=tomorrow, client=cast.clients["CA001"])
    assert services.event_reminders(today=timezone.localdate()) == 1      # and a reminder
    waiting = make_event(cast, materials=PRODUCT_MATERIALS, approve=False, title="投教课")
    services.materials_submit(user=cast.users["director_a"], event=waiting)
    invited = EventRegistration.objects.create(event=event, client=cast.clients["CA003"], advisor=cast.advisors["alice"],
                                               status=RegistrationStatus.INVITED, via=RegistrationVia.CAMPAIGN)
    codes = internal_codes() | {s for choices in (EventKind, EventStatus, RegistrationStatus, RegistrationVia)
                                for s in choices.values} | {"submitted", "approved", "waitlisted"}
    word = re.compile(r"(?<![A-Za-z0-9_.])(" + "|".join(sorted(map(re.escape, codes), key=len, reverse=True))
                      + r")(?![A-Za-z0-9_])")
    names = _names(cast, event, held, waiting, tomorrow)
    pages = {
        "director_a": [reverse("events:list"), reverse("events:new"), reverse("events:detail", args=[event.pk]),
                       reverse("events:detail", args=[held.pk]), reverse("events:detail", args=[waiting.pk]),
                       reverse("events:edit", args=[event.pk]), reverse("events:checkin", args=[event.pk])],
        "alice": [reverse("events:list"), reverse("events:detail", args=[event.pk]), "/clients/CA001/",
                  "/clients/CA002/", "/today/"],
        "compliance": [reverse("events:reviews"), reverse("events:list")],
    }
    public = [reverse("events:public", args=[link_token(invited)]),
              reverse("events:public", args=[link_token(EventRegistration.objects.get(event=event,
                                                                                      client__client_id="CA001"))]),
              reverse("events:public", args=["nonsense:token"])]
    found, chinese, seen = {}, {}, 0
    for lang in ("zh-hans", "en"):
        for who, paths in list(pages.items()) + [(None, public)]:
            if who:
                client.force_login(cast.users[who])
            else:
                client.logout()
            client.cookies["django_language"] = lang
            for path in paths:
                r = client.get(path)
                assert r.status_code in (200, 400), (who, path, r.status_code)
                seen += 1
                text = visible_text(r.content.decode())
                if lang == "zh-hans":
                    assert CJK.search(text), (who, path)
                    hits = sorted(set(word.findall(text)))
                    if hits:
                        found[(who, path)] = hits
                else:
                    rest = text.replace("简体中文", "")
                    for n in names:
                        rest = rest.replace(n, "")
                    left = sorted(set(CJK.findall(rest)))
                    if left:
                        chinese[(who, path)] = left
    assert seen == 2 * (sum(len(p) for p in pages.values()) + len(public))
    assert not found, f"internal codes on Chinese pages: {found}"
    assert not chinese, f"Chinese left on English pages: {chinese}"
    client.force_login(cast.users["alice"])
    client.cookies["django_language"] = "zh-hans"
    today = visible_text(client.get("/today/").content.decode())
    assert "明日活动" in today and "活动回访（已到场）" in today


def test_the_check_in_page_checks_in_by_token_and_rejects_a_wrong_code(client, cast, event_with_clients):
    event = event_with_clients
    reg = EventRegistration.objects.get(event=event, client__client_id="CA001")
    client.force_login(cast.users["bob"])                # the door: any advisor of the branch
    r = client.post(reverse("events:checkin", args=[event.pk]), {"code": "ZZZZZZZZ"})
    assert r.status_code == 400
    r = client.post(reverse("events:checkin", args=[event.pk]), {"code": checkin_token(reg)})
    assert r.status_code == 200 and "CA001" not in r.content.decode()     # the door sees no client code
    assert EventRegistration.objects.get(pk=reg.pk).checked_in_at is not None


def test_the_public_page_registers_and_shows_the_qr_code(client, cast):
    event = make_event(cast)
    reg = EventRegistration.objects.create(event=event, client=cast.clients["CA001"], advisor=cast.advisors["alice"],
                                           status=RegistrationStatus.INVITED, via=RegistrationVia.CAMPAIGN)
    url = reverse("events:public", args=[link_token(reg)])
    page = client.get(url).content.decode()
    assert "<svg" not in page and "CA001" not in page and cast.clients["CA001"].name not in page
    r = client.post(url, {"answer": "yes"})
    assert r.status_code == 200 and "<svg" in r.content.decode() and reg.code in r.content.decode()
    assert client.get(reverse("events:public", args=[link_token(reg) + "x"])).status_code == 400


def test_plan_submit_approve_and_register_through_the_pages(client, cast):
    from panhuo.clients.models import Event

    client.force_login(cast.users["director_a"])
    r = client.post(reverse("events:new"), {
        "kind": "seminar", "title": "解套实战班", "topic": "交易纪律", "starts_at": "2030-03-01T19:00",
        "ends_at": "2030-03-01T21:00", "venue": "三楼会议室", "online_url": "", "capacity": "1", "speaker": "讲师",
        "materials": "一、复盘\n二、纪律"})
    event = Event.objects.get(title="解套实战班")
    assert r.status_code == 302 and r["Location"] == reverse("events:detail", args=[event.pk])
    bad = client.post(reverse("events:new"), {"kind": "salon", "title": "x", "starts_at": "2030-03-01T19:00",
                                              "ends_at": "2030-03-01T18:00", "venue": "厅"})
    assert bad.status_code == 400 and Event.objects.count() == 1
    client.post(reverse("events:action", args=[event.pk, "submit"]))
    client.force_login(cast.users["compliance"])
    client.post(reverse("events:reviews"), {"event": str(event.pk), "decision": "approve"})
    event.refresh_from_db()
    assert event.review == MaterialsReview.APPROVED
    client.force_login(cast.users["alice"])
    client.post(reverse("events:register", args=[event.pk]), {"client": "CA001", "next": "/clients/CA001/"})
    client.post(reverse("events:register", args=[event.pk]), {"client": "CA002"})
    statuses = dict(EventRegistration.objects.filter(event=event).values_list("client__client_id", "status"))
    assert statuses == {"CA001": "registered", "CA002": "waitlisted"}
