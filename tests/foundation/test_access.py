"""The access functions: an advisor reaches only their own clients, directors and managers their branch,
compliance and administrators everything. Out of reach is a 404."""

from __future__ import annotations

import pytest
from django.http import Http404

from panhuo.clients.selectors import advisors_for_user, client_get_for_user, clients_for_user


def _ids(qs):
    return sorted(qs.values_list("client_id", flat=True))


def test_advisor_sees_only_own_clients(cast):
    assert _ids(clients_for_user(user=cast.users["alice"])) == ["CA001", "CA002", "CA003"]
    assert _ids(clients_for_user(user=cast.users["charlie"])) == ["CC001", "CC002"]


def test_director_and_manager_see_their_branch(cast):
    branch_a = ["CA001", "CA002", "CA003", "CB001", "CB002", "CU001"]
    assert _ids(clients_for_user(user=cast.users["director_a"])) == branch_a
    assert _ids(clients_for_user(user=cast.users["manager_a"])) == branch_a


def test_compliance_and_admin_see_every_branch(cast):
    everyone = sorted(cast.clients)
    assert _ids(clients_for_user(user=cast.users["compliance"])) == everyone
    assert _ids(clients_for_user(user=cast.users["admin"])) == everyone


def test_other_advisors_client_is_a_404(cast):
    assert client_get_for_user(user=cast.users["alice"], client_id="CA001").client_id == "CA001"
    for cid in ("CB001", "CC001", "CU001", "NOPE"):
        with pytest.raises(Http404):
            client_get_for_user(user=cast.users["alice"], client_id=cid)


def test_reassignment_takes_effect_on_the_next_read(cast):
    alice, bob = cast.users["alice"], cast.users["bob"]
    client = cast.clients["CA001"]
    client.advisor = cast.advisors["bob"]
    client.save()
    with pytest.raises(Http404):
        client_get_for_user(user=alice, client_id="CA001")
    assert client_get_for_user(user=bob, client_id="CA001").advisor.advisor_id == "A02"


def test_inactive_or_anonymous_users_see_nothing(cast):
    from django.contrib.auth.models import AnonymousUser

    alice = cast.users["alice"]
    alice.is_active = False
    alice.save()
    assert clients_for_user(user=alice).count() == 0
    assert clients_for_user(user=AnonymousUser()).count() == 0


def test_advisor_list_follows_the_same_scopes(cast):
    assert list(advisors_for_user(user=cast.users["alice"]).values_list("advisor_id", flat=True)) == ["A01"]
    assert sorted(advisors_for_user(user=cast.users["director_a"]).values_list("advisor_id", flat=True)) == ["A01", "A02"]


def test_advisor_user_must_be_linked_to_an_advisor(db):
    from panhuo.accounts.services import UserError, user_create

    with pytest.raises(UserError):
        user_create(username="lonely", role="advisor", password="x-long-password")
