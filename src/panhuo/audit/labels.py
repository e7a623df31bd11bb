"""What the audit page and export call each action, outcome and object, in the reader's language.

Action codes stay in the database (they are what `panhuo audit list --action` matches); staff read these
labels. tests/audit check that every action code the code writes has a label here.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from panhuo.accounts.models import Role

ACTIONS = {
    "access.denied": _("Access denied"),
    "api.campaigns.list": _("Listed campaigns through the API"),
    "api.campaigns.view": _("Read a campaign through the API"),
    "api.clients.list": _("Listed clients through the API"),
    "api.clients.view": _("Read a client through the API"),
    "api.contacts.list": _("Listed contacts through the API"),
    "api.tasks.list": _("Listed tasks through the API"),
    "api.token.issue": _("Issued an API token"),
    "api.token.revoke": _("Revoked API tokens"),
    "admin.view": _("Viewed client data in the admin site"),
    "audit.view": _("Viewed the audit trail"),
    "audit.export": _("Exported the audit trail"),
    "branch.view": _("Viewed the branch dashboard"),
    "campaign.create": _("Created a campaign"),
    "campaign.update": _("Changed a campaign"),
    "campaign.launch": _("Launched a campaign"),
    "campaign.view": _("Viewed a campaign"),
    "holdout.rotate": _("Drew the branch's long-term holdout"),
    "holdout.view": _("Viewed the branch's long-term holdout"),
    "campaign.export": _("Exported a campaign report"),
    "client.view": _("Viewed a client"),
    "client.unmask": _("Viewed sensitive personal data"),
    "client.reassign": _("Changed the advisor"),
    "client.do_not_contact": _("Set do not contact"),
    "client.assignment_conflict": _("Settled an assignment conflict"),
    "clients.list": _("Viewed the client list"),
    "clients.export": _("Exported the client list"),
    "consent.record": _("Recorded a consent"),
    "consent.sms_reply": _("Opted out by SMS reply"),
    "consent.unsubscribe": _("Unsubscribed by link"),
    "consent.view": _("Viewed the consent record"),
    "contact.log": _("Logged a contact"),
    "funnel.view": _("Viewed the funnel"),
    "import": _("Imported data"),
    "import.recover": _("Completed an interrupted import"),
    "import.restore": _("Restored rows an import replaced"),
    "login.failed": _("Failed log-in"),
    "login.locked_out": _("Log-in locked"),
    "login.unlock": _("Log-in unlocked"),
    "market.view": _("Viewed the market page"),
    "market.switch_send": _("Sent a switch suggestion"),
    "plan.save": _("Saved a service plan"),
    "plan.view": _("Viewed a service plan"),
    "plan.export": _("Printed a service plan"),
    "task.done": _("Completed a task"),
    "task.snooze": _("Snoozed a task"),
    "task.hand_back": _("Handed back a task"),
    "today.view": _("Viewed today's tasks"),
    "advisor.leave": _("Recorded an advisor's departure"),
    "allocation.approve": _("Approved a client allocation"),
    "allocation.preview": _("Made an allocation preview"),
    "allocation.settings": _("Changed the allocation settings"),
    "allocation.view": _("Viewed the allocation page"),
    "campaign.launch_summary": _("Viewed a campaign's launch summary"),
    "campaign.progress": _("Viewed a campaign's progress"),
    "client.risk_level": _("Updated the client's risk level"),
    "kpis.uncontacted": _("Viewed the uncontacted clients"),
    "kpis.view": _("Viewed the branch figures"),
    "event.create": _("Planned a client event"),
    "event.update": _("Changed a client event"),
    "event.file": _("Added a file to an event's materials"),
    "event.cancel": _("Cancelled a client event"),
    "event.materials_submit": _("Submitted an event's materials for compliance review"),
    "event.materials_review": _("Reviewed an event's materials"),
    "event.register": _("Registered the client for an event"),
    "event.cancel_registration": _("Cancelled the client's event registration"),
    "event.link": _("Made an event registration link for the client"),
    "event.link_answer": _("The client answered an event invitation through their link"),
    "event.checkin": _("Checked the client in at an event"),
    "event.close": _("Closed an event's attendance and made follow-up tasks"),
    "event.view": _("Viewed an event's registrations"),
    "event.invite": _("Invited a campaign's members to an event"),
    "complaint.register": _("Registered a complaint"),
    "complaint.assigned": _("Gave a complaint to an owner"),
    "complaint.investigating": _("Started investigating a complaint"),
    "complaint.escalated": _("Escalated a complaint"),
    "complaint.escalate_due": _("Escalated a complaint past its deadline"),
    "complaint.resolved": _("Resolved a complaint"),
    "complaint.confirmed": _("Recorded the client's answer to a complaint's resolution"),
    "complaint.closed": _("Closed a complaint"),
    "complaint.view": _("Viewed a complaint"),
    "complaints.list": _("Viewed the complaints"),
    "callback.sample": _("Drew the call-back sample"),
    "callback.record": _("Recorded a call-back"),
    "callback.view": _("Opened a call-back"),
    "callbacks.view": _("Viewed the call-back queue"),
    "callbacks.coverage": _("Viewed the call-back coverage"),
    "questionnaire.answer": _("Recorded a questionnaire answer"),
    "questionnaire.link": _("Made a questionnaire link for the client"),
    "questionnaire.open": _("Opened a questionnaire"),
    "report.kpis": _("Produced the monthly figures report"),
    "report.send": _("Emailed the figures report"),
    "script.edit": _("Changed a campaign's scripts"),
    "script.submit": _("Submitted scripts for compliance review"),
    "suitability.check": _("Ran a suitability check"),
    "suitability.override": _("Recorded the client's answer to a risk warning"),
    "suitability.warning": _("Showed a special risk warning"),
    "registration.record": _("Recorded a professional registration"),
    "training.attendance": _("Recorded training attendance"),
    "training.certificate": _("Opened a training certificate"),
    "training.course": _("Added a training course"),
    "training.exam_start": _("Started an exam"),
    "training.exam_submit": _("Submitted an exam"),
    "training.export": _("Exported the training report"),
    "training.session": _("Planned a training session"),
    "training.view": _("Viewed staff training records"),
}
# An action written by newer code than this table still gets a readable label, from its family.
FAMILIES = {
    "access": _("Access denied"), "audit": _("Audit trail"), "branch": _("Branch dashboard"),
    "campaign": _("Campaign"), "client": _("Client"), "clients": _("Client list"), "consent": _("Consent"),
    "contact": _("Contact"), "event": _("Client event"), "import": _("Import"), "login": _("Log-in"), "market": _("Market"),
    "plan": _("Service plan"), "task": _("Task"), "user": _("User"), "admin": _("Administration"),
    "advisor": _("Advisor"), "allocation": _("Allocation"), "api": _("REST API"), "appraisal": _("Appraisal"),
    "funnel": _("Funnel"), "kpis": _("Branch figures"), "questionnaire": _("Questionnaire"), "report": _("Report"),
    "script": _("Script review"), "suitability": _("Suitability"), "today": _("Today"),
    "complaint": _("Complaint"), "complaints": _("Complaints"), "callback": _("Call-back"),
    "callbacks": _("Call-backs"),
    "training": _("Training"), "registration": _("Professional registration"),
}
OUTCOMES = {"ok": _("Done"), "denied": _("Denied"), "loaded": _("Loaded"), "failed": _("Failed"),
            "rejected": _("Rejected"), "locked": _("Locked"), "restored": _("Restored"), "allowed": _("Allowed"),
            "blocked": _("Blocked"), "refused": _("Refused"), "confirmed": _("Confirmed"),
            "declined": _("Declined"), "do_not_contact": _("Do not contact")}
OBJECT_TYPES = {"client": _("Client"), "campaign": _("Campaign"), "import_batch": _("Import batch"),
                "audit": _("Audit trail"), "user": _("User"), "task": _("Task"),
                "event": _("Client event"),
                "complaint": _("Complaint"), "callback": _("Call-back"), "callback_sample": _("Call-back sample"),
                "course": _("Course"), "exam": _("Exam"), "exam_attempt": _("Exam attempt"), "certificate": _("Certificate")}
SOURCES = {"page": _("page"), "cli": _("command line"), "import": _("import"), "contact": _("contact outcome"),
           "allocation": _("allocation")}
FIELDS = {"phone": _("Phone"), "id_number": _("ID number")}
CHANNELS = {"phone": pgettext_lazy("contact channel", "Phone"), "sms": _("SMS"), "email": _("Email"),
            "visit": _("Visit"), "event": _("Event"), "wechat": _("WeChat")}


def action_label(code: str) -> str:
    if code in ACTIONS:
        return str(ACTIONS[code])
    family = FAMILIES.get(code.split(".", 1)[0])
    return f"{family}（{_('other')}）" if family else str(_("Other action"))


def outcome_label(code: str) -> str:
    return str(OUTCOMES.get(code, _("Other")))


def role_label(code: str) -> str:
    """A staff role's name; `operator` is whoever ran the command line on the server without --as."""
    if code == "operator":
        return str(_("Server operator"))
    return str(dict(Role.choices).get(code, ""))


def object_label(code: str) -> str:
    return str(OBJECT_TYPES.get(code, "")) if code else ""


def detail_summary(detail: dict) -> list[tuple[str, str]]:
    """The parts of an event's detail a reader needs, labelled; internal keys are left to the export."""
    if not isinstance(detail, dict):
        return []
    out: list[tuple[str, str]] = []
    if detail.get("field") in FIELDS:
        out.append((str(_("Field")), str(FIELDS[detail["field"]])))
    if detail.get("channel") in CHANNELS:
        out.append((str(_("Channel")), str(CHANNELS[detail["channel"]])))
    if isinstance(detail.get("granted"), bool):
        out.append((str(_("Consent")), str(_("granted") if detail["granted"] else _("refused"))))
    if detail.get("source") in SOURCES:
        out.append((str(_("Source")), str(SOURCES[detail["source"]])))
    if isinstance(detail.get("changes"), list):
        out.append((str(_("Changes")), str(len(detail["changes"]))))
    if detail.get("to"):
        out.append((str(_("To advisor")), str(detail["to"])))
    for key, label in (("rows", _("Rows")), ("rows_loaded", _("Rows loaded"))):
        if isinstance(detail.get(key), int):
            out.append((str(label), f"{detail[key]:,}"))
    if detail.get("batch"):
        out.append((str(_("Import batch")), str(detail["batch"])[:12]))
    if detail.get("reason"):
        out.append((str(_("Reason")), str(detail["reason"])))
    return out
