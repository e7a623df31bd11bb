"""Walk the audit chain and say where it was tampered with: the first event whose content, number or link is
not what was written, and whether events are missing from the end or were added outside audit_record."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from panhuo.audit.chain import GENESIS, event_hash
from panhuo.audit.models import AuditChainHead, AuditEvent

_COLUMNS = ("id", "at", "user_id", "username", "role", "action", "object_type", "object_ids", "outcome", "detail",
            "ip", "seq", "prev_hash", "hash")
MAX_PROBLEMS = 100


@dataclass
class Problem:
    kind: str          # changed | missing | broken_link | head
    seq: int | None
    id: int | None
    message: str


@dataclass
class VerifyReport:
    checked: int = 0
    last_seq: int = 0
    head_seq: int | None = None
    head_hash: str = ""
    problems: list[Problem] = field(default_factory=list)
    more_problems: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict:
        first = self.problems[0] if self.problems else None
        return {"ok": self.ok, "checked": self.checked, "last_seq": self.last_seq, "head_seq": self.head_seq,
                "head_hash": self.head_hash, "first_problem": asdict(first) if first else None,
                "problems": [asdict(p) for p in self.problems], "more_problems": self.more_problems}


def audit_verify() -> VerifyReport:
    """Recompute every event's hash in seq order and check the numbering, the links and the head."""
    report = VerifyReport()

    def flag(kind: str, row: dict | None, message: str) -> None:
        if len(report.problems) < MAX_PROBLEMS:
            report.problems.append(Problem(kind, row["seq"] if row else None, row["id"] if row else None, message))
        else:
            report.more_problems = True

    head = AuditChainHead.objects.filter(pk=1).values("seq", "hash").first()
    expected, prev_hash, last_row = 1, GENESIS, None
    beyond_head = None
    for values in AuditEvent.objects.order_by("seq").values_list(*_COLUMNS).iterator(chunk_size=5000):
        row = dict(zip(_COLUMNS, values, strict=True))
        report.checked += 1
        if row["seq"] > expected:
            gap = f"{expected}" if row["seq"] == expected + 1 else f"{expected}–{row['seq'] - 1}"
            flag("missing", row, f"events seq {gap} before this one are missing (deleted)")
        elif row["prev_hash"] != prev_hash:
            before = f"event seq {expected - 1}" if expected > 1 else "the start of the trail"
            flag("broken_link", row, f"does not follow {before}: an event was inserted, replaced or moved here")
        if event_hash({**row, "user": row["user_id"]}) != row["hash"]:
            flag("changed", row, "its content no longer matches its hash: a field was edited after it was written")
        if head is not None and beyond_head is None and row["seq"] > head["seq"]:
            beyond_head = row
        expected, prev_hash, last_row = row["seq"] + 1, row["hash"], row
    report.last_seq = last_row["seq"] if last_row else 0
    if head is None:
        if last_row is not None:
            flag("head", None, "the chain head is missing: the end of the trail cannot be checked")
        return report
    report.head_seq, report.head_hash = head["seq"], head["hash"]
    if beyond_head is not None:
        flag("head", beyond_head, f"written after the last event the trail recorded (seq {head['seq']}): "
                                  "added outside the audit service")
    elif head["seq"] > report.last_seq:
        gap = f"{report.last_seq + 1}" if head["seq"] == report.last_seq + 1 else \
            f"{report.last_seq + 1}–{head['seq']}"
        flag("head", last_row, f"the trail ends at seq {report.last_seq} but reached seq {head['seq']}: "
                               f"events seq {gap} were deleted from the end")
    elif last_row is not None and head["hash"] != last_row["hash"]:
        flag("head", last_row, "the last event is not the one the trail recorded: it was replaced")
    return report
