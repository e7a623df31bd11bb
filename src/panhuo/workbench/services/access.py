"""Who may do what to a client they can already see (seeing is decided by clients.selectors).

A client out of reach is a 404 (from client_get_for_user); a visible client the role may not change is a
PermissionDenied (403), which reveals nothing the user could not already read.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from panhuo.accounts.models import Role, User
from panhuo.clients.models import Client

# Roles that serve clients and so may log contacts and work tasks (docs/workbench.md, "Roles").
SERVICE_ROLES = (Role.ADVISOR, Role.DIRECTOR, Role.MANAGER)
# Unmasking: the client's advisor (to call them), the branch's director and manager, and compliance for review.
UNMASK_ROLES = (Role.ADVISOR, Role.DIRECTOR, Role.MANAGER, Role.COMPLIANCE)
PLAN_EDIT_ROLES = (Role.ADVISOR, Role.DIRECTOR)
BRANCH_LEAD_ROLES = (Role.DIRECTOR, Role.MANAGER)


def require_role(user: User, roles) -> None:
    if user.is_read_only or user.role not in roles:
        raise PermissionDenied


def can_serve(user: User) -> bool:
    return not user.is_read_only and user.role in SERVICE_ROLES


def can_unmask(user: User) -> bool:
    return user.role in UNMASK_ROLES


def can_edit_plan(user: User, client: Client) -> bool:
    if user.is_read_only or user.role not in PLAN_EDIT_ROLES:
        return False
    # The advisor reaches only their own clients anyway; the check stays here so the rule reads in one place.
    return user.role != Role.ADVISOR or client.advisor_id == user.advisor_id


def sees_branch(user: User) -> bool:
    return user.role in BRANCH_LEAD_ROLES or user.sees_whole_firm
