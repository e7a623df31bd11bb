"""Who owns each field of a client: the table the import obeys (clients.ownership enforces it on the
operational client master) and docs/data-model.md prints. Django-free, so the data-model doc is generated
from the same table the code reads.

"backoffice": the back office (柜台系统) is the source of truth; every import that carries the client writes it.
"panhuo": staff decide it in panhuo; an import writes it only until panhuo has decided (the assignment), may only
set it (do-not-contact), or never writes it at all (plans, contacts, tasks, consent).
"""

from __future__ import annotations

# field -> (owner, what the import does with it)
FIELD_OWNER: dict[str, tuple[str, str]] = {
    "client_id": ("backoffice", "identifies the client; never changes"),
    "branch_id": ("backoffice", "follows every import"),
    "name": ("backoffice", "follows every import"),
    "id_number": ("backoffice", "follows every import"),
    "phone": ("backoffice", "follows every import"),
    "gender": ("backoffice", "follows every import"),
    "birth_date": ("backoffice", "follows every import"),
    "region": ("backoffice", "follows every import"),
    "open_date": ("backoffice", "follows every import"),
    "client_type": ("backoffice", "follows every import"),
    "status": ("backoffice", "follows every import (正常 / 冻结 / 销户)"),
    "risk_level, risk_assessed_on": ("backoffice", "the latest dated assessment wins: an older one in a file "
                                                   "never replaces a newer one, in a file or taken in panhuo "
                                                   "(on the same date panhuo's stands); risk_source says which"),
    "advisor_id": ("panhuo once changed in panhuo", "the back office's assignment applies until a director "
                   "reassigns the client in panhuo (page, CLI, allocation); after that the import keeps panhuo's, "
                   "counts it as kept, and files a conflict for a director when the back office later changes "
                   "its own assignment"),
    "do_not_contact": ("panhuo", "an import may set it; it clears only a do-not-contact that itself set, never one "
                       "recorded in panhuo (a contact's outcome, the CLI, an opt-out)"),
    "consent by channel": ("panhuo", "the consent ledger; no import writes it"),
    "service plan, contacts, tasks, funnel": ("panhuo", "no import writes them"),
}
