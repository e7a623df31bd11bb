"""Who owns each client field, and how a back-office row is merged into a client under that rule.

This is the one place the rule is enforced (DESIGN.md "One owner per field"; the table is in
docs/data-model.md). The back office owns identity and account facts: they follow every import. panhuo owns
what staff decide in it: an advisor assignment once changed in panhuo, and a do-not-contact recorded in panhuo.
An import never undoes those: it keeps them, counts what it kept, and reports a conflict when the back office
changes an assignment that panhuo had also changed. An import may set do-not-contact, never clear one recorded
in panhuo. Plans, contacts, tasks and consent records are panhuo's alone and no import writes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from panhuo.clients.models import Client, DecisionSource
from panhuo.ingest.ownership import FIELD_OWNER

BACKOFFICE = DecisionSource.BACKOFFICE
PANHUO = DecisionSource.PANHUO

# The back-office fields copied as they come (the risk pair has its own rule, the branch is a foreign key);
# the table of every field's owner is ingest.ownership.FIELD_OWNER (printed in docs/data-model.md; the risk pair
# is one entry there).
COPIED = tuple(f for f, (owner, _) in FIELD_OWNER.items()
               if owner == "backoffice" and f not in ("client_id", "branch_id", "risk_level, risk_assessed_on"))
# Every client field merge_backoffice_row reads, in the order of backoffice_row_key: a client equal to a row on
# all of them gets nothing from the merge (no change, nothing kept, no conflict).
MERGED = ("client_id", *COPIED, "branch_id", "risk_level", "risk_assessed_on", "advisor_id",
          "backoffice_advisor_code", "do_not_contact")


def backoffice_row_key(row: dict, *, branch_pk: int, advisor_pk: int | None, advisor_code: str) -> tuple:
    """A row's values of MERGED but the client code, with merge_backoffice_row's arguments: equal to a client's
    stored values of MERGED[1:], the merge would leave that client as it is, so an import can skip it unread."""
    return (*(row[f] for f in COPIED), branch_pk, row["risk_level"], row["risk_assessed_on"], advisor_pk,
            advisor_code, row["do_not_contact"])


@dataclass
class Merge:
    """What merging one back-office row into an existing client decided. `changed` lists the model fields to
    save; the assignment and do-not-contact outcomes are for the report, the audit trail and the tasks."""

    changed: set[str] = field(default_factory=set)
    assignment: tuple[int | None, int | None] | None = None    # (before, after) advisor pks, when applied
    assignment_kept: bool = False        # the back office says otherwise; panhuo's assignment stands
    conflict: tuple[str, str] | None = None    # (kept advisor code, back office's new code)
    dnc_set: bool = False
    dnc_cleared: bool = False
    dnc_kept: bool = False               # the back office clears it; panhuo's do-not-contact stands
    risk_applied: bool = False           # the file's risk assessment is the latest dated one: it became the level
    risk_kept: bool = False              # an assessment taken in panhuo is as new or newer: it stands


def merge_backoffice_row(client: Client, row: dict, *, branch_pk: int, advisor_pk: int | None,
                         advisor_code: str, codes_by_pk: dict[int, str]) -> Merge:
    """Apply one row of the back office's client master to `client` (in memory) by the ownership rule.

    `row` holds the canonical client columns, already cleaned (ingest's field values); `advisor_code` is the
    row's advisor code ('' for none) and `advisor_pk` its operational key (None when unassigned or unknown).
    """
    m = Merge()
    for f in COPIED:
        if getattr(client, f) != row[f]:
            setattr(client, f, row[f])
            m.changed.add(f)
    if client.branch_id != branch_pk:
        client.branch_id = branch_pk
        m.changed.add("branch")
    # Risk level: the latest dated assessment wins, so an older back-office assessment never replaces a newer one,
    # whether that one came from an earlier file or was taken in panhuo (clients.suitability). On the same date an
    # assessment taken in panhuo stands: the file has not caught up with it yet.
    new_on, old_on = row["risk_assessed_on"], client.risk_assessed_on
    if (row["risk_level"], new_on) != (client.risk_level, old_on):
        newer = old_on is None or (new_on is not None and (new_on > old_on or (
            new_on == old_on and client.risk_source != PANHUO)))
        if newer:
            client.risk_level, client.risk_assessed_on = row["risk_level"], new_on
            client.risk_source = BACKOFFICE if row["risk_level"] else ""
            m.changed |= {"risk_level", "risk_assessed_on", "risk_source"}
            m.risk_applied = True
        elif client.risk_source == PANHUO:
            m.risk_kept = True

    if client.assignment_source == PANHUO:
        if advisor_pk != client.advisor_id:
            m.assignment_kept = True
            # A conflict only when the back office *changed* its word since the last import: its old word was
            # already overruled by the decision made in panhuo.
            if advisor_code != client.backoffice_advisor_code:
                m.conflict = (codes_by_pk.get(client.advisor_id, ""), advisor_code)
    elif advisor_pk != client.advisor_id:
        m.assignment = (client.advisor_id, advisor_pk)
        client.advisor_id = advisor_pk
        m.changed |= {"advisor"}
    if client.backoffice_advisor_code != advisor_code:
        client.backoffice_advisor_code = advisor_code
        m.changed.add("backoffice_advisor_code")

    if row["do_not_contact"] and not client.do_not_contact:
        client.do_not_contact, client.do_not_contact_source = True, BACKOFFICE
        m.dnc_set = True
        m.changed |= {"do_not_contact", "do_not_contact_source", "do_not_contact_since"}
    elif not row["do_not_contact"] and client.do_not_contact:
        if client.do_not_contact_source == PANHUO:
            m.dnc_kept = True
        else:
            client.do_not_contact, client.do_not_contact_source = False, ""
            client.do_not_contact_since = None
            m.dnc_cleared = True
            m.changed |= {"do_not_contact", "do_not_contact_source", "do_not_contact_since"}
    return m
