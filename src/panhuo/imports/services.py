"""Import services: run a batch into the analytical store, then bring the operational client master in step.

Two stores cannot share one transaction, so the order is fixed: the analytical store commits first (with the
ledger of file hashes in the same transaction), then the client master and the batch record commit together.
Batches that write no data are recorded in the import journal instead (panhuo.imports.journal).
If a process dies between the two, the next import finds the store's batch key without a loaded record and
repeats the master sync (idempotent: it copies the store's clients and advisors), so nothing loads twice.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import duckdb
from django.db import transaction
from django.utils import timezone

from panhuo.audit.services import audit_record
from panhuo.clients.decisions import (
    Actor,
    Source,
    assignment_audit,
    do_not_contact_audit,
    tasks_close_for_do_not_contact,
    tasks_follow_assignment,
)
from panhuo.clients.models import Advisor, AssignmentConflict, Branch, Client, ConflictStatus, DecisionSource
from panhuo.clients.ownership import MERGED, backoffice_row_key, merge_backoffice_row
from panhuo.config import panhuo_home, warehouse_path
from panhuo.imports.journal import journal_append, journal_batch
from panhuo.imports.models import BatchStatus, ImportBatch
from panhuo.ingest.batch import (
    BatchRejected,
    BatchResult,
    client_master_rows,
    restore_batch,
    run_batch,
    unsynced_batches,
)
from panhuo.ingest.lock import STORE_BUSY, ImportLocked, StoreBusy, import_lock, store_busy, store_guard
from panhuo.ingest.problems import Problem
from panhuo.ingest.profile import ProfileError, load_profile
from panhuo.ingest.store import RestoreError, kill_point

__all__ = ["ImportLocked", "ImportRejected", "ProfileError", "RestoreError", "StoreBusy", "import_batch",
           "import_restore", "imports_recover"]

CLIENT_FIELDS = ("name", "id_number", "phone", "gender", "birth_date", "region", "open_date", "client_type",
                 "risk_level", "risk_assessed_on", "do_not_contact", "status")
ADVISOR_FIELDS = ("name", "level", "region", "capacity", "specialties", "hire_date", "active")
MAX_STORED_PROBLEMS = 1000
WHOLE_MASTER = 50_000    # more codes than this: read every client rather than send the codes as an IN list


class ImportRejected(Exception):
    """The batch was refused; nothing was written. `problems` says where and why (zh + en)."""

    def __init__(self, batch: ImportBatch, problems: list[Problem], message: str):
        super().__init__(message)
        self.batch = batch
        self.problems = problems


def _fill(batch: ImportBatch, result: BatchResult) -> None:
    batch.files = [vars(f).copy() for f in result.files]
    batch.rows_read = result.total("rows_read")
    batch.rows_loaded = result.total("rows_loaded")
    batch.rows_rejected = (result.total("rows_quarantined") if result.status in ("loaded", "validated")
                           else result.total("rows_read") - result.total("rows_duplicate"))
    batch.rows_duplicate = result.total("rows_duplicate")
    batch.problem_count = result.problem_count
    batch.problems = [p.as_dict() for p in result.problems[:MAX_STORED_PROBLEMS]]
    batch.control_totals = result.control_totals
    batch.changes = result.changes
    batch.business_date = result.business_date
    batch.quarantine_file = result.quarantine_file
    batch.report_file = result.report_file
    batch.message = result.message
    batch.finished_at = timezone.now()


def _field_values(row: dict, fields: tuple[str, ...]) -> dict:
    out = {}
    for f in fields:
        v = row.get(f)
        if f in ("name", "id_number", "phone", "gender", "region", "specialties"):
            v = v or ""
        elif f == "client_type":
            v = v or "individual"
        elif f == "status":
            v = v or "active"
        elif f == "do_not_contact":
            v = bool(v)
        elif f == "active":
            v = True if v is None else bool(v)
        elif f == "level":
            v = v or "junior"
        elif f == "capacity":
            v = 300 if v is None else int(v)
        out[f] = v
    return out


def sync_client_master(*, store: Path, business_date=None, branch_names: dict[str, str] | None = None,
                       client_ids: list[str] | None = None, advisor_ids: list[str] | None = None,
                       actor=None, batch_key: str = "") -> dict:
    """Bring the operational client master in step with the store's, in bulk, by the ownership rule.

    Only the clients (and advisors) named in `client_ids` (`advisor_ids`) are touched: those the batch's files
    carry. None means every row of the store (crash recovery, which cannot tell; the ownership rule keeps that
    safe). Decisions made in panhuo are kept and counted (clients.ownership); a back-office change of an
    assignment panhuo had also changed becomes an AssignmentConflict; every change of assignment or
    do-not-contact is audited with before, after and source "import".
    """
    clients, advisors = client_master_rows(store)
    if client_ids is not None:
        wanted = set(client_ids)
        clients = [c for c in clients if c["client_id"] in wanted]
    if advisor_ids is not None:
        wanted_adv = set(advisor_ids)
        advisors = [a for a in advisors if a["advisor_id"] in wanted_adv]
    branch_names = branch_names or {}
    branches = {b.branch_id: b for b in Branch.objects.all()}
    new_branches = [Branch(branch_id=b, name=branch_names.get(b, b))
                    for b in sorted({c["branch_id"] for c in clients}) if b not in branches]
    Branch.objects.bulk_create(new_branches)
    branches = {b.branch_id: b for b in Branch.objects.all()}
    # Advisors carry no branch in the exports: they belong where most of their clients are.
    home = {}
    for adv_id, counts in _group(clients).items():
        home[adv_id] = counts.most_common(1)[0][0]
    existing = {a.advisor_id: a for a in Advisor.objects.all()}
    create, update = [], []
    for row in advisors:
        values = _field_values(row, ADVISOR_FIELDS)
        a = existing.get(row["advisor_id"])
        branch = branches.get(home.get(row["advisor_id"], "")) or (a.branch if a else None) or \
            (next(iter(sorted(branches.items())))[1] if branches else None)
        if branch is None:
            continue     # no branch known yet; the next batch with clients places the advisor
        if a is None:
            create.append(Advisor(advisor_id=row["advisor_id"], branch=branch, **values))
        elif any(getattr(a, k) != v for k, v in values.items()) or a.branch_id != branch.pk:
            for k, v in values.items():
                setattr(a, k, v)
            a.branch = branch
            update.append(a)
    Advisor.objects.bulk_create(create, batch_size=1000)
    Advisor.objects.bulk_update(update, [*ADVISOR_FIELDS, "branch"], batch_size=500)
    adv = {a.advisor_id: a.pk for a in Advisor.objects.only("id", "advisor_id")}
    codes = {pk: code for code, pk in adv.items()}
    # A row whose every merged field already equals the client's leaves merge_backoffice_row nothing to do (no
    # change, nothing kept, no conflict): compared as plain tuples, only the other rows' clients are loaded as
    # objects. A daily master of a million clients changes a few thousand; loading them all cost a minute.
    ids = [r["client_id"] for r in clients]
    found = Client.objects.values_list(*MERGED)
    stored = {r[0]: r[1:] for r in (found if len(ids) > WHOLE_MASTER else found.filter(client_id__in=ids))}
    plan = []
    for row in clients:
        values = _field_values(row, CLIENT_FIELDS)
        code = row.get("advisor_id") or ""
        advisor_pk = adv.get(code)
        branch_pk = branches[row["branch_id"]].pk
        was = stored.get(row["client_id"])
        if was is not None and was == backoffice_row_key(values, branch_pk=branch_pk, advisor_pk=advisor_pk,
                                                         advisor_code=code if advisor_pk else ""):
            continue
        plan.append((row, values, code, advisor_pk, branch_pk))
    wanted = [row["client_id"] for row, *_ in plan if row["client_id"] in stored]
    current = {}
    for i in range(0, len(wanted), 5000):
        current.update((c.client_id, c) for c in Client.objects.filter(client_id__in=wanted[i:i + 5000]))
    today = business_date or timezone.localdate()
    now = timezone.now()
    c_create, c_update, fields = [], [], set()
    moves, kept_assign, conflicts, dnc_changes, kept_dnc = [], [], [], [], []
    for row, values, code, advisor_pk, branch_pk in plan:
        c = current.get(row["client_id"])
        if c is None:
            c_create.append(Client(client_id=row["client_id"], branch_id=branch_pk, advisor_id=advisor_pk,
                                   assigned_on=(row.get("open_date") or today) if advisor_pk else None,
                                   backoffice_advisor_code=code if advisor_pk else "",
                                   do_not_contact_source=DecisionSource.BACKOFFICE if values["do_not_contact"] else "",
                                   do_not_contact_since=now if values["do_not_contact"] else None,
                                   risk_source=DecisionSource.BACKOFFICE if values["risk_level"] else "", **values))
            continue
        m = merge_backoffice_row(c, values, branch_pk=branch_pk, advisor_pk=advisor_pk,
                                 advisor_code=code if advisor_pk else "", codes_by_pk=codes)
        if m.assignment is not None:
            before, after = m.assignment
            moves.append((c, codes.get(before, ""), codes.get(after, "")))
            if after is not None:
                c.assigned_on = today
                m.changed.add("assigned_on")
        kept_assign += [c] if m.assignment_kept else []
        conflicts += [(c, *m.conflict)] if m.conflict else []
        if m.dnc_set:
            c.do_not_contact_since = now
        if m.dnc_set or m.dnc_cleared:
            dnc_changes.append((c, not c.do_not_contact, c.do_not_contact))
        kept_dnc += [c] if m.dnc_kept else []
        if m.changed:
            c_update.append(c)
            fields |= m.changed
    Client.objects.bulk_create(c_create, batch_size=2000)
    if c_update:
        Client.objects.bulk_update(c_update, sorted(fields), batch_size=500)
    actor = actor or Actor(username="system")
    for after_pk in {c.advisor_id for c, _, _ in moves}:
        tasks_follow_assignment(client_pks=[c.pk for c, _, _ in moves if c.advisor_id == after_pk],
                                advisor=Advisor.objects.get(pk=after_pk) if after_pk else None, at=now)
    if moves:
        assignment_audit(changes=[(c.client_id, b, a) for c, b, a in moves], source=Source.IMPORT, actor=actor,
                         batch=batch_key)
    tasks_close_for_do_not_contact(client_pks=[c.pk for c, _, after in dnc_changes if after], at=now)
    if dnc_changes:
        do_not_contact_audit(changes=[(c.client_id, b, a) for c, b, a in dnc_changes], source=Source.IMPORT,
                             actor=actor, batch=batch_key)
    for c, kept_code, bo_code in conflicts:
        AssignmentConflict.objects.update_or_create(
            client=c, status=ConflictStatus.OPEN,
            defaults={"kept_advisor_code": kept_code, "backoffice_advisor_code": bo_code, "batch_key": batch_key})
    return {"branches_new": len(new_branches), "advisors_new": len(create), "advisors_changed": len(update),
            "clients_new": len(c_create), "clients_changed": len(c_update), "assignments_changed": len(moves),
            "kept_assignments": len(kept_assign), "kept_do_not_contact": len(kept_dnc),
            "do_not_contact_changed": len(dnc_changes), "assignment_conflicts": len(conflicts),
            "conflict_clients": [c.client_id for c, _, _ in conflicts][:200]}


def kept_message(sync: dict) -> str:
    """What the import kept of the decisions made in panhuo, in the batch's message (zh / en)."""
    zh, en = [], []
    if sync.get("kept_assignments"):
        zh.append(f"{sync['kept_assignments']} 项分配调整")
        en.append(f"{sync['kept_assignments']} reassignment(s)")
    if sync.get("kept_do_not_contact"):
        zh.append(f"{sync['kept_do_not_contact']} 项拒绝联系")
        en.append(f"{sync['kept_do_not_contact']} do-not-contact")
    out = ""
    if zh:
        out = f"保留了在系统内做出的{'、'.join(zh)} / kept {', '.join(en)} made in panhuo"
    if sync.get("assignment_conflicts"):
        n = sync["assignment_conflicts"]
        out += (("；" if out else "") + f"{n} 项分配与柜台系统冲突，待服务总监处理 / "
                f"{n} assignment conflict(s) with the back office for a director to settle")
    return out


def _group(clients: list[dict]) -> dict[str, Counter]:
    out: dict[str, Counter] = {}
    for c in clients:
        if c.get("advisor_id"):
            out.setdefault(c["advisor_id"], Counter())[c["branch_id"]] += 1
    return out


def _recover(store: Path) -> None:
    """Finish batches the store committed but whose master sync and record were cut off by a crash.
    (Batches killed before the store committed wrote nothing; the journal lists them as interrupted.)"""
    synced = set(ImportBatch.objects.filter(status=BatchStatus.LOADED).values_list("key", flat=True))
    for key in unsynced_batches(store, synced):
        con = duckdb.connect(str(store), read_only=True)
        try:
            names = ("sha256", "name", "table", "rows_loaded", "business_date")
            files = [dict(zip(names, r, strict=True)) for r in con.execute(
                "SELECT sha256, file_name, table_name, rows_loaded, business_date FROM import_files "
                "WHERE batch_key = ?", [key]).fetchall()]
        finally:
            con.close()
        business_date = max((f.pop("business_date") for f in files if f["business_date"]), default=None)
        started = journal_batch(key)      # who started it, and when
        with transaction.atomic():
            sync = sync_client_master(store=store, business_date=business_date)
            batch, _ = ImportBatch.objects.get_or_create(key=key, defaults={
                "profile": started.profile if started else "?", "username": started.username if started else "",
                "quarantine": started.quarantine if started else False})
            batch.business_date = business_date
            batch.status = BatchStatus.LOADED
            batch.files = batch.files or files
            batch.rows_loaded = sum(f["rows_loaded"] or 0 for f in files)
            batch.finished_at = timezone.now()
            batch.message = f"中断后补完客户主数据 / client master completed after an interruption {sync}"
            batch.save()
            if started:
                ImportBatch.objects.filter(pk=batch.pk).update(started_at=started.started_at)
            audit_record(user=None, action="import.recover", object_type="import_batch", object_ids=[key],
                         outcome=batch.status, detail={"rows_loaded": batch.rows_loaded, "started_by": batch.username})


def imports_recover(*, owner: str) -> int:
    """Finish, under the import lock, the batches a crash cut off after the analytical store committed (their
    client master and record), as the next import would; the daily run calls it before it starts. Returns how
    many were finished. Raises ImportLocked while an import runs, StoreBusy while another job holds the store."""
    store = warehouse_path()
    with import_lock(panhuo_home(), owner=owner), store_guard():
        synced = set(ImportBatch.objects.filter(status=BatchStatus.LOADED).values_list("key", flat=True))
        pending = len(unsynced_batches(store, synced))
        if pending:
            _recover(store)
    return pending


def import_batch(*, paths: list[Path], profile: str, user=None, quarantine: bool = False,
                 progress: Callable[[str, int, int], None] | None = None, replace_dates: bool = False,
                 dry_run: bool = False) -> ImportBatch:
    """Import files (or folders of files) as one all-or-nothing batch; returns its ImportBatch.

    A loaded batch is saved in the operational store with the client master it changes; a batch that writes
    no data (rejected, already loaded, failed) is recorded in the journal only, so both stores keep their
    bytes (see panhuo.imports.journal). Raises ImportRejected (nothing written, problems attached),
    ImportLocked (another import is running), StoreBusy (another job holds the analytical store) or
    ProfileError (unknown or broken profile).

    Fact files add and correct rows by key; `replace_dates` replaces whole days of the files' own branches
    (ingest.store.plan_facts). `dry_run` validates and plans only: the returned batch (status "validated",
    never saved nor journalled) lists in `changes` the rows it would add, correct and remove per branch and day.
    """
    prof = load_profile(profile)
    username = getattr(user, "username", "") or "system"
    store = warehouse_path()
    if dry_run:
        return _dry_run(paths=paths, prof=prof, user=user, username=username, quarantine=quarantine,
                        progress=progress, replace_dates=replace_dates)
    with import_lock(panhuo_home(), owner=username), store_guard():    # store held elsewhere: StoreBusy
        _recover(store)
        started = timezone.now()
        batch = ImportBatch(key=uuid.uuid4().hex, profile=prof.name, quarantine=quarantine, started_at=started,
                            user=user if getattr(user, "pk", None) else None, username=username)
        journal_append(batch)      # status "running": if this process dies, the journal says so
        try:
            result = run_batch(store_path=store, paths=[Path(p) for p in paths], profile=prof, batch_key=batch.key,
                               quarantine=quarantine, quarantine_dir=panhuo_home() / "quarantine",
                               progress=progress, replace_dates=replace_dates)
        except BatchRejected as exc:
            _fill(batch, exc.result)
            batch.status = BatchStatus.REJECTED
            journal_append(batch)
            raise ImportRejected(batch, exc.result.problems, exc.result.message) from None
        except Exception as exc:
            batch.status, batch.finished_at = BatchStatus.FAILED, timezone.now()
            batch.message = (STORE_BUSY if store_busy(exc) else str(exc))[:2000]
            journal_append(batch)
            raise
        _fill(batch, result)
        if result.status != "loaded":
            batch.status = BatchStatus.UNCHANGED
            journal_append(batch)
            return batch
        journal_append(batch)      # still "running", now with rows loaded: the analytical store has committed
        with transaction.atomic():
            if {"clients", "advisors"} & set(result.tables):
                sync = sync_client_master(store=store, business_date=result.business_date,
                                          branch_names=prof.branch_names, client_ids=result.client_ids,
                                          advisor_ids=result.advisor_ids,
                                          actor=user if getattr(user, "pk", None) else Actor(username=username),
                                          batch_key=batch.key)
                batch.changes = [*batch.changes, {"table": "client_master", **sync}]
                if kept := kept_message(sync):
                    batch.message = f"{batch.message}；{kept}"
            batch.status = BatchStatus.LOADED
            batch.save()
            ImportBatch.objects.filter(pk=batch.pk).update(started_at=started)   # auto_now_add set it to now
            batch.started_at = started
            audit_record(user=user, action="import", object_type="import_batch", object_ids=[batch.key],
                         outcome=batch.status, detail={"rows_loaded": batch.rows_loaded})
            kill_point("master")
    return batch


def _dry_run(*, paths, prof, user, username: str, quarantine: bool, progress, replace_dates: bool) -> ImportBatch:
    """Validate and plan under the import lock (the plan is against the store as it is), writing nothing:
    no journal line, no record, no crash recovery (that writes)."""
    with import_lock(panhuo_home(), owner=username), store_guard():
        batch = ImportBatch(key=uuid.uuid4().hex, profile=prof.name, quarantine=quarantine, started_at=timezone.now(),
                            user=user if getattr(user, "pk", None) else None, username=username)
        try:
            result = run_batch(store_path=warehouse_path(), paths=[Path(p) for p in paths], profile=prof,
                               batch_key=batch.key, quarantine=quarantine, quarantine_dir=panhuo_home() / "quarantine",
                               progress=progress, replace_dates=replace_dates, dry_run=True)
        except BatchRejected as exc:
            _fill(batch, exc.result)
            batch.status = BatchStatus.REJECTED
            raise ImportRejected(batch, exc.result.problems, exc.result.message) from None
    _fill(batch, result)
    batch.status = result.status           # "validated", or "unchanged" when every file was loaded before
    return batch


def import_restore(*, batch_key: str, user=None) -> list[dict]:
    """Put back the rows batch `batch_key` removed or overwrote, from its recoverable record, in one
    transaction with the import lock held; the aggregates follow for the days touched (ingest.store.restore).
    Audited, and noted on the batch's record. Returns the rows put back per table, branch and day. Raises
    RestoreError (nothing changed: no record, restored already, or rows changed again by a later batch),
    ImportLocked or StoreBusy."""
    username = getattr(user, "username", "") or "system"
    with import_lock(panhuo_home(), owner=username):
        with store_guard():
            restored = restore_batch(store_path=warehouse_path(), batch_key=batch_key)
        rows = sum(r["rows_restored"] for r in restored)
        with transaction.atomic():
            batch = ImportBatch.objects.filter(key=batch_key).first()
            if batch is not None:
                batch.changes = [*batch.changes, {"table": "restore", "by": username, "rows_restored": rows,
                                                  "at": timezone.now().isoformat(timespec="seconds")}]
                batch.save(update_fields=["changes"])
            audit_record(user=user, action="import.restore",
                         object_type="import_batch", object_ids=[batch_key], outcome="restored",
                         detail={"rows_restored": rows, "by": username,
                                 "tables": sorted({r["table"] for r in restored})})
    return restored
