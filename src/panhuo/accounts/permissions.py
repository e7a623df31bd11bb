"""What each role may DO: one table, asked by every view, service, template and command.

What a user may SEE is a separate rule per object type (`clients.selectors.within_reach` and its neighbours):
`can` answers "may this role do X at all"; the object's access function answers "is this object within reach".
A view resolves the object first (out of reach: 404), then asks `require` (a visible object the role may not
change: 403, which reveals nothing the user could not already read). Object-level rules on top (an advisor
edits only their own client's plan) stay beside the object and call `can` for the role part.

docs/architecture.md's "Roles" table is rendered from ROLE_CAPABILITIES (`python -m panhuo.accounts.roles_doc`)
and the access tests compute their expected answers from it, so changing a row here changes both.
"""

from __future__ import annotations

from enum import StrEnum

from django.core.exceptions import PermissionDenied

from panhuo.accounts.models import Role


class Capability(StrEnum):
    SERVE = "serve"
    UNMASK = "unmask"
    EDIT_PLAN = "edit_plan"
    DESIGN_CAMPAIGN = "design_campaign"
    REVIEW_SCRIPT = "review_script"
    APPROVE_SCRIPT = "approve_script"
    LAUNCH_CAMPAIGN = "launch_campaign"
    RUN_IMPORT = "run_import"
    READ_IMPORTS = "read_imports"
    REASSIGN = "reassign"
    ALLOCATE = "allocate"
    READ_AUDIT = "read_audit"
    MANAGE_EVENTS = "manage_events"
    MANAGE_TRAINING = "manage_training"
    MANAGE_USERS = "manage_users"
    SEND_ADVICE = "send_advice"
    SEE_BRANCH = "see_branch"
    SET_TARGETS = "set_targets"
    SIGN_SCORECARD = "sign_scorecard"


# What each capability lets a user do (docs/architecture.md's "Roles" table shows these).
MEANING = {
    Capability.SERVE: "log contacts, work tasks, record consent and do-not-contact",
    Capability.UNMASK: "see a client's ID number or phone in clear, for a stated reason (audited)",
    Capability.EDIT_PLAN: "write a client's service plan (an advisor: their own clients only)",
    Capability.DESIGN_CAMPAIGN: "create and edit campaign drafts, preview their target",
    Capability.REVIEW_SCRIPT: "check a script against the compliance rules",
    Capability.APPROVE_SCRIPT: "approve or reject a campaign's scripts before launch (not one's own campaign)",
    Capability.LAUNCH_CAMPAIGN: "launch a campaign: freeze its members, put its tasks on Today lists",
    Capability.RUN_IMPORT: "upload and import the back office's files",
    Capability.READ_IMPORTS: "read the import batches and their reports",
    Capability.REASSIGN: "give clients to another advisor, settle assignment conflicts",
    Capability.ALLOCATE: "preview and approve an allocation of the branch's clients to its advisors",
    Capability.READ_AUDIT: "read and export the audit trail",
    Capability.MANAGE_EVENTS: "plan client events (no page yet)",
    Capability.MANAGE_TRAINING: "record courses, sessions, attendance and registrations; see the branch's training, exams and registrations due",
    Capability.MANAGE_USERS: "create users and set their roles (the admin site)",
    Capability.SEND_ADVICE: "send specific advice (switch suggestions); only while a registration as an investment advisor is current",
    Capability.SEE_BRANCH: "open the branch dashboard",
    Capability.SET_TARGETS: "set the advisors' activity targets (contacts, coverage, tasks on time, follow-ups)",
    Capability.SIGN_SCORECARD: "compute, comment and sign off the advisors' monthly scorecards (a signed month is locked)",
}

C = Capability

# The branch's leadership owns reactivation campaigns (the material: 营业部领导 allocate the branch's clients and run
# its 激活 work), so the manager designs and launches campaigns as the director does, and keeps serving, unmasking,
# reassigning and the dashboard; the director also writes service plans. Compliance reads everything and changes
# nothing: unmasking for review and checking scripts are reads. The administrator runs imports and users and may
# design campaigns, but serves no client and sees personal data masked only.
ROLE_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.ADVISOR: frozenset({C.SERVE, C.UNMASK, C.EDIT_PLAN, C.SEND_ADVICE}),
    Role.DIRECTOR: frozenset({C.SERVE, C.UNMASK, C.EDIT_PLAN, C.SEND_ADVICE, C.DESIGN_CAMPAIGN, C.REVIEW_SCRIPT,
                              C.LAUNCH_CAMPAIGN, C.REASSIGN, C.ALLOCATE, C.MANAGE_EVENTS, C.MANAGE_TRAINING,
                              C.SEE_BRANCH, C.SET_TARGETS, C.SIGN_SCORECARD}),
    Role.MANAGER: frozenset({C.SERVE, C.UNMASK, C.SEND_ADVICE, C.DESIGN_CAMPAIGN, C.REVIEW_SCRIPT,
                             C.LAUNCH_CAMPAIGN, C.REASSIGN, C.ALLOCATE, C.MANAGE_EVENTS, C.MANAGE_TRAINING,
                             C.SEE_BRANCH, C.SET_TARGETS}),
    Role.COMPLIANCE: frozenset({C.UNMASK, C.REVIEW_SCRIPT, C.APPROVE_SCRIPT, C.READ_IMPORTS, C.READ_AUDIT,
                                C.SEE_BRANCH}),
    Role.ADMIN: frozenset({C.DESIGN_CAMPAIGN, C.REVIEW_SCRIPT, C.LAUNCH_CAMPAIGN, C.RUN_IMPORT, C.READ_IMPORTS,
                           C.READ_AUDIT, C.MANAGE_USERS, C.SEE_BRANCH}),
}

# Compliance's one write, given deliberately (issue 18): marketing material is reviewed before staff use it, so
# compliance approves or rejects a campaign's scripts (campaigns/services/review.py) and a launch waits for it. It
# changes no client, task or campaign design; the designer never approves their own campaign's scripts, and every
# approval, rejection (with its reason) and later edit is audited.
WRITES_OF_COMPLIANCE = frozenset({C.APPROVE_SCRIPT})

# Capabilities that change nothing: the only ones a read-only role may hold (tests/accounts check compliance,
# besides WRITES_OF_COMPLIANCE).
READS = frozenset({C.UNMASK, C.REVIEW_SCRIPT, C.READ_IMPORTS, C.READ_AUDIT, C.SEE_BRANCH})


def capabilities(user) -> frozenset[Capability]:
    """Everything `user` may do. Anonymous or inactive: nothing. A superuser (created with `createsuperuser`,
    whatever its role) holds the administrator's capabilities besides its role's. Specific advice also needs a
    current registration as an investment advisor (证券投资顾问)."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return frozenset()
    caps = set(ROLE_CAPABILITIES.get(getattr(user, "role", None), ()))
    if getattr(user, "is_superuser", False):
        caps |= ROLE_CAPABILITIES[Role.ADMIN]
    # Asked only when the role would send advice: the registration records (accounts.models.Registration) are
    # read once per user object, so a lapsed registration drops it from the next request on.
    if C.SEND_ADVICE in caps and not getattr(user, "is_registered_advisor", False):
        caps.discard(C.SEND_ADVICE)
    return frozenset(caps)


def can(user, capability: Capability) -> bool:
    return Capability(capability) in capabilities(user)


def require(user, capability: Capability) -> None:
    """PermissionDenied unless `user` may do `capability`."""
    if not can(user, capability):
        raise PermissionDenied


class UserCapabilities:
    """`{% if can.reassign %}` in templates (panhuo.web.context_processors): each attribute asks `can`."""

    def __init__(self, user) -> None:
        self._user = user

    def __getattr__(self, name: str) -> bool:
        try:
            capability = Capability(name)
        except ValueError:
            raise AttributeError(name) from None
        return can(self._user, capability)

    __getitem__ = __getattr__
