"""What several sections of one client 360 page read about the client, read once for the page.

The page draws sections that different features own (clients.registry): the workbench's profile, the surveys'
assessments and service plan... Each needs the client's latest snapshot, questionnaire answers or contacts, and
each used to read them itself: 28 queries for one page. `page_facts(client)` marks a client object as the one a
read-only page is drawing; these readers then keep what they read on it, so the sections share one read each
without knowing of each other. A client object not so marked (a form that writes, then reads back) always
reads fresh. The object lives for one request, so nothing is kept longer than a page.
"""

from __future__ import annotations

from panhuo.clients.models import ClientSeries, ClientSnapshot, Contact, QuestionnaireAnswer

_KEY = "_page_facts"


def page_facts(client):
    """Mark `client` as drawn by a read-only page: the readers below keep what they read on it. Returns it."""
    client.__dict__.setdefault(_KEY, {})
    return client


def _kept(client, name: str, load):
    facts = client.__dict__.get(_KEY)
    if facts is None:
        return load()
    if name not in facts:
        facts[name] = load()
    return facts[name]


def latest_snapshot(client) -> ClientSnapshot | None:
    """The latest snapshot without its `features` (a few KB of model inputs no page shows; read on access)."""
    return _kept(client, "snapshot", lambda: ClientSnapshot.objects.filter(client=client, is_latest=True)
                 .defer("features").first())


def answers(client, kind: str) -> list[QuestionnaireAnswer]:
    """The client's answers of one kind (personality, needs, satisfaction, …), newest first."""
    if _KEY not in client.__dict__:
        return list(QuestionnaireAnswer.objects.filter(client=client, kind=kind).select_related("contact")
                    .order_by("-taken_on", "-id"))
    every = _kept(client, "answers", lambda: list(
        QuestionnaireAnswer.objects.filter(client=client).select_related("contact").order_by("-taken_on", "-id")))
    return [a for a in every if a.kind == kind]


def latest_answer(client, kind: str) -> QuestionnaireAnswer | None:
    if _KEY not in client.__dict__:
        return QuestionnaireAnswer.objects.filter(client=client, kind=kind).order_by("-taken_on", "-id").first()
    found = answers(client, kind)
    return found[0] if found else None


def contacts(client) -> list[Contact]:
    """Every contact with the client, newest first (contact-frequency caps keep the list short)."""
    return _kept(client, "contacts", lambda: list(
        Contact.objects.filter(client=client).select_related("by").order_by("-at", "-id")))


def series(client) -> ClientSeries | None:
    """The client's 360 series; already in hand when the page read the client with select_related("series")."""
    def load():
        try:
            return client.series   # one query, or none when read with select_related("series")
        except ClientSeries.DoesNotExist:
            return None

    return _kept(client, "series", load)
