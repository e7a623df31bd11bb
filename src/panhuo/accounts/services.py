"""Writes of users and roles."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from panhuo.accounts.models import Registration, RegistrationKind, Role, User
from panhuo.clients.models import Advisor, Branch


class UserError(ValueError):
    pass


def user_create(*, username: str, role: str, password: str, branch_id: str | None = None,
                advisor_id: str | None = None, full_name: str = "", update: bool = False) -> User:
    """Create (or with update=True, reset) a staff user. An advisor user must name its Advisor record."""
    if role not in Role.values:
        raise UserError(f"unknown role {role!r}; one of {', '.join(Role.values)}")
    advisor = None
    branch = None
    if advisor_id:
        advisor = Advisor.objects.select_related("branch").filter(advisor_id=advisor_id).first()
        if advisor is None:
            raise UserError(f"no advisor with code {advisor_id!r}")
        branch = advisor.branch
    if branch_id:
        branch = Branch.objects.filter(branch_id=branch_id).first()
        if branch is None:
            raise UserError(f"no branch with code {branch_id!r}")
    if role == Role.ADVISOR and advisor is None:
        raise UserError("an advisor user needs --advisor (the advisor code it is linked to)")
    if role in (Role.DIRECTOR, Role.MANAGER) and branch is None:
        raise UserError("a director or manager needs --branch")
    with transaction.atomic():
        user = User.objects.filter(username=username).first()
        if user is not None and not update:
            raise UserError(f"user {username!r} already exists")
        user = user or User(username=username)
        user.role = role
        user.branch = branch
        user.advisor = advisor
        user.first_name = full_name or (advisor.name if advisor else "")
        user.is_staff = role == Role.ADMIN
        user.is_superuser = role == Role.ADMIN
        _set_valid_password(user, password)
        user.save()
    return user


def registration_record(*, by, user: User, kind: str, number: str, registered_on, expires_on, note: str = "",
                        request=None) -> Registration:
    """Record one period of `user`'s professional registration (a first registration or a renewal: a new row,
    so the history stays). The same period recorded again changes its number, expiry or note. Audited. Whether
    `by` may record it for `user` is the caller's question (training.services asks the table and the reach)."""
    from panhuo.audit.services import audit_record

    if kind not in RegistrationKind.values:
        raise UserError(f"unknown registration type {kind!r}; one of {', '.join(RegistrationKind.values)}")
    number = (number or "").strip()
    if not number:
        raise UserError("a registration needs its number")
    if expires_on < registered_on:
        raise UserError("the registration expires before it starts")
    with transaction.atomic():
        reg, created = Registration.objects.update_or_create(
            user=user, kind=kind, registered_on=registered_on,
            defaults={"number": number, "expires_on": expires_on, "note": note})
        audit_record(user=by, action="registration.record", object_type="user", object_ids=[user.username],
                     request=request, detail={"kind": kind, "number": number, "new": created,
                                              "registered_on": registered_on.isoformat(),
                                              "expires_on": expires_on.isoformat()})
    user.registration_cache_clear()
    return reg


def password_check(*, password: str, user: User | None = None) -> None:
    """Raise UserError, in words a person can act on, if the password breaks AUTH_PASSWORD_VALIDATORS."""
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise UserError(" ".join(str(m) for m in exc.messages)) from exc


def _set_valid_password(user: User, password: str) -> None:
    """The one way panhuo sets a password: the rules first (the admin's forms run the same validators)."""
    password_check(password=password, user=user)
    user.set_password(password)


def user_set_password(*, username: str, password: str) -> User:
    """Reset a user's password, under the same rules as everywhere else."""
    user = User.objects.filter(username=username).first()
    if user is None:
        raise UserError(f"no user {username!r}")
    _set_valid_password(user, password)
    user.save(update_fields=["password"])
    return user


def user_unlock(*, username: str, address: str | None = None, by: str = "") -> int:
    """Lift a log-in lockout now, rather than after the cool-off: the account's failed attempts are forgotten,
    and with `address` those counted against that address too. Audited; returns the attempt records cleared."""
    from axes.utils import reset

    from panhuo.audit.services import audit_record

    if not username.strip():
        raise UserError("name the user to unlock")   # axes' reset() with no name would clear every lock
    cleared = reset(username=username)
    if address:
        cleared += reset(ip=address)
    audit_record(user=None, action="login.unlock", object_type="user", object_ids=[username], outcome="ok",
                 detail={"address": address or "", "attempts_cleared": cleared, "by": by})
    return cleared


@dataclass
class DemoUsers:
    usernames: list[str]
    advisors: int


def demo_users_create(*, password: str) -> DemoUsers:
    """The demo cast: manager, director, compliance, admin and one user per advisor (advisor01, advisor02 …)."""
    branch = Branch.objects.order_by("branch_id").first()
    if branch is None:
        raise UserError("no branch loaded yet: import the branch's data first")
    names = []
    for username, role, label in (
        ("manager", Role.MANAGER, "营业部总经理"),
        ("director", Role.DIRECTOR, "服务总监"),
        ("compliance", Role.COMPLIANCE, "合规专员"),
        ("admin", Role.ADMIN, "系统管理员"),
    ):
        user_create(username=username, role=role, password=password, branch_id=branch.branch_id,
                    full_name=label, update=True)
        names.append(username)
    advisors = list(Advisor.objects.filter(branch=branch).order_by("advisor_id"))
    for i, adv in enumerate(advisors, start=1):
        username = f"advisor{i:02d}"
        # Their professional registrations are the training feature's demo records (training.demo).
        user_create(username=username, role=Role.ADVISOR, password=password, advisor_id=adv.advisor_id,
                    update=True)
        names.append(username)
    return DemoUsers(usernames=names, advisors=len(advisors))
