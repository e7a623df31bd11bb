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
    REGISTER_COMPLAINT = "register_complaint"
    HANDLE_COMPLAINTS = "handle_complaints"
    READ_COMPLAINTS = "read_complaints"
    CALL_BACK = "call_back"


# What each capability lets a user do (docs/architecture.md's "Roles" table shows these).
MEANING = {
    Capability.SERVE: ("log contacts, work tasks, record consent and do-not-contact, register clients for events and "
                       "check them in"),
    Capability.UNMASK: "see a client's ID number or phone in clear, for a stated reason (audited)",
    Capability.EDIT_PLAN: "write a client's service plan (an advisor: their own clients only)",
    Capability.DESIGN_CAMPAIGN: "create and edit campaign drafts, preview their target",
    Capability.REVIEW_SCRIPT: "check a script against the compliance rules",
    Capability.APPROVE_SCRIPT: "approve or reject a campaign's scripts before launch and client events' materials (not one's own)",
    Capability.LAUNCH_CAMPAIGN: "launch a campaign: freeze its members, put its tasks on Today lists",
    Capability.RUN_IMPORT: "upload and import the back office's files",
    Capability.READ_IMPORTS: "read the import batches and their reports",
    Capability.REASSIGN: "give clients to another advisor, settle assignment conflicts",
    Capability.ALLOCATE: "preview and approve an allocation of the branch's clients to its advisors",
    Capability.READ_AUDIT: "read and export the audit trail",
    Capability.MANAGE_EVENTS: "plan client events, have their materials reviewed, close attendance and make the follow-up tasks",
    Capability.MANAGE_TRAINING: "record courses, sessions, attendance and registrations; see the branch's training, exams and registrations due",
    Capability.MANAGE_USERS: "create users and set their roles (the admin site)",
    Capability.SEND_ADVICE: "send specific advice (switch suggestions); only while a registration as an investment advisor is current",
    Capability.SEE_BRANCH: "open the branch dashboard",
    Capability.SET_TARGETS: "set the advisors' activity targets (contacts, coverage, tasks on time, follow-ups)",
    Capability.SIGN_SCORECARD: "compute, comment and sign off the advisors' monthly scorecards (a signed month is locked)",
    Capability.REGISTER_COMPLAINT: "register a complaint a client makes (of a client within reach)",
    Capability.HANDLE_COMPLAINTS: "own, investigate, escalate, resolve and close complaints (not one about oneself)",
    Capability.READ_COMPLAINTS: "read the list of complaints and their handling (overdue first)",
    Capability.CALL_BACK: "draw the monthly call-back sample and record call-backs (never to one's own client)",
}

C = Capability

# The branch's leadership owns reactivation campaigns (the material: 营业部领导 allocate the branch's clients and run
# its 激活 work), so the manager designs and launches campaigns as the director does, and keeps serving, unmasking,
# reassigning and the dashboard; the director also writes service plans. Compliance reads everything and changes
# nothing: unmasking for review and checking scripts are reads. The administrator runs imports and users and may
# design campaigns, but serves no client and sees personal data masked only.
ROLE_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.ADVISOR: frozenset({C.SERVE, C.UNMASK, C.EDIT_PLAN, C.SEND_ADVICE, C.REGISTER_COMPLAINT}),
    Role.DIRECTOR: frozenset({C.SERVE, C.UNMASK, C.EDIT_PLAN, C.SEND_ADVICE, C.DESIGN_CAMPAIGN, C.REVIEW_SCRIPT,
                              C.LAUNCH_CAMPAIGN, C.REASSIGN, C.ALLOCATE, C.MANAGE_EVENTS, C.MANAGE_TRAINING,
                              C.SEE_BRANCH, C.SET_TARGETS, C.SIGN_SCORECARD, C.REGISTER_COMPLAINT,
                              C.HANDLE_COMPLAINTS, C.READ_COMPLAINTS, C.CALL_BACK}),
    Role.MANAGER: frozenset({C.SERVE, C.UNMASK, C.SEND_ADVICE, C.DESIGN_CAMPAIGN, C.REVIEW_SCRIPT,
                             C.LAUNCH_CAMPAIGN, C.REASSIGN, C.ALLOCATE, C.MANAGE_EVENTS, C.MANAGE_TRAINING,
                             C.SEE_BRANCH, C.SET_TARGETS, C.REGISTER_COMPLAINT, C.HANDLE_COMPLAINTS,
                             C.READ_COMPLAINTS, C.CALL_BACK}),
    Role.COMPLIANCE: frozenset({C.UNMASK, C.REVIEW_SCRIPT, C.APPROVE_SCRIPT, C.READ_IMPORTS, C.READ_AUDIT,
                                C.SEE_BRANCH, C.READ_COMPLAINTS, C.CALL_BACK}),
    Role.ADMIN: frozenset({C.DESIGN_CAMPAIGN, C.REVIEW_SCRIPT, C.LAUNCH_CAMPAIGN, C.RUN_IMPORT, C.READ_IMPORTS,
                           C.READ_AUDIT, C.MANAGE_USERS, C.SEE_BRANCH}),
}

# Compliance's one write, given deliberately (issue 18): marketing material is reviewed before staff use it, so
# compliance approves or rejects a campaign's scripts (campaigns/services/review.py) and a launch waits for it. It
# changes no client, task or campaign design; the designer never approves their own campaign's scripts, and every
# approval, rejection (with its reason) and later edit is audited.
#
# Complaints (issue 12): whoever serves a client takes down a complaint they receive (an advisor too: a complaint
# not recorded is itself a breach), so REGISTER_COMPLAINT goes with serving. Handling one (owning, investigating,
# escalating, resolving, closing) is the branch leadership's: the director and the manager answer for the branch's
# service, and an advisor must not judge complaints, which are often about the advisor (the services also refuse
# an owner who is the advisor concerned). Compliance reads every complaint (READ_COMPLAINTS) and receives the
# escalations, but does not handle them: it reviews the branch's handling.
#
# Compliance's second write, given deliberately (issue 12): call-backs (回访) check the sales process, so they are
# made by staff independent of the advisor — compliance, the director or the manager — never by an advisor (the
# services also refuse the client's own advisor). Compliance draws the month's sample and records call-backs; it
# changes no client, task or complaint (a finding opens a complaint only through the complaint register, which
# records who found it), and every draw and call-back is audited.
WRITES_OF_COMPLIANCE = frozenset({C.APPROVE_SCRIPT, C.CALL_BACK})

# Capabilities that change nothing: the only ones a read-only role may hold (tests/accounts check compliance,
# besides WRITES_OF_COMPLIANCE).
READS = frozenset({C.UNMASK, C.REVIEW_SCRIPT, C.READ_IMPORTS, C.READ_AUDIT, C.SEE_BRANCH, C.READ_COMPLAINTS})


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
        self._caps = None

    def __getattr__(self, name: str) -> bool:
        try:
            capability = Capability(name)
        except ValueError:
            raise AttributeError(name) from None
        # The set is worked out once per render (a list asks `can.reassign` on each of its rows); the object
        # lives for one response, so a changed role or registration counts from the next request, as before.
        if self._caps is None:
            self._caps = capabilities(self._user)
        return capability in self._caps

    __getitem__ = __getattr__
