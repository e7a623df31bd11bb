"""The page walk (test_every_page.py) finds routes in the URLconf: a new page with parameters and no sample fails
it by name, a POST endpoint is not a page, and every page already there has a sample."""

from __future__ import annotations

from django.test import Client as DjangoClient

from tests.web.test_every_page import discover


def test_a_new_page_with_parameters_needs_a_sample_and_a_post_endpoint_does_not(cast, settings):
    settings.ROOT_URLCONF = "tests.web.urls_with_new_pages"
    probe = DjangoClient()
    probe.force_login(cast.users["admin"])
    pages, problems = discover(probe)
    assert any("add a sample for route new_thing (new-thing/<int:thing_id>/)" in p for p in problems)
    assert not any("new_thing_save" in p for p in problems)              # answers GET with 405: not a page
    assert not any(name.startswith("new_thing") for name, _ in pages)
    # The app's own routes with parameters all have samples; those whose object the cast lacks say so by name.
    assert all("add a sample" not in p for p in problems if "new_thing" not in p)
    assert {"workbench:today", "workbench:funnel", "kpis:kpis"} <= {name for name, _ in pages}
    assert ("workbench:client", f"/clients/{_first_client(cast)}/") in pages


def _first_client(cast) -> str:
    from panhuo.clients.models import Client

    return Client.objects.filter(advisor__isnull=False).order_by("advisor__advisor_id", "client_id").first().client_id
