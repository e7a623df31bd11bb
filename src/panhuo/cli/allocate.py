"""`panhuo allocate`: the CLI twin of the allocation page (issue #17, docs/allocation.md).

`--preview` runs the optimiser on a branch and saves the answer, changing nothing; `--approve PREVIEW` (the
preview's number or the file `--out` wrote) applies it through the one write path for assignments;
`--advisor-leaves ADVISOR` hands a departing advisor's whole book to the others in one step (preview, or with
`--approve` preview and apply at once). The acting user is `--as USER` (their rights and branch), else the
operator logged in to the server (`os:<login>`), as for `panhuo clients`.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from panhuo.cli.app import app
from panhuo.cli.output import fail, finish, to_json

NEW = "new"     # --advisor-leaves A --approve: approve the preview made in the same step


def _preview_id(value: str, *, as_json: bool) -> int:
    if value.isdigit():
        return int(value)
    path = Path(value)
    if not path.is_file():
        fail(f"找不到预览 / no such preview or file: {value}", as_json=as_json, code=2)
    try:
        return int(json.loads(path.read_text(encoding="utf-8"))["preview"])
    except (ValueError, KeyError, TypeError):
        fail(f"文件不是分配预览 / not an allocation preview file: {value}", as_json=as_json)


def _summary(data: dict) -> str:
    moves = data["assignments"]
    lines = [f"预览 {data['preview']}（{data['branch']}）：{len(moves)} 位客户更换投资顾问 / preview {data['preview']} "
             f"({data['branch']}): {len(moves)} clients change advisor; objective {data['objective']:,.0f}, "
             f"bound {data['bound']:,.0f}"]
    for m in moves[:20]:
        why = "；".join(r["zh"] for r in m["reasons"] if r["zh"])
        lines.append(f"  {m['client_id']}: {m['from'] or '—'} → {m['advisor_id']}  {why}")
    if len(moves) > 20:
        lines.append(f"  … {len(moves) - 20} more (--json or --out for all)")
    return "\n".join(lines)


@app.command("allocate")
def allocate_command(
    preview: bool = typer.Option(False, "--preview", help="Run the optimiser and save a preview; changes nothing."),
    approve: str = typer.Option(None, "--approve", metavar="PREVIEW",
                                help="Apply a preview: its number or the file --out wrote. With --advisor-leaves: "
                                     f"'{NEW}' (preview and approve in one step)."),
    advisor_leaves: str = typer.Option(None, "--advisor-leaves", metavar="ADVISOR",
                                       help="An advisor leaving: their book goes to the others (they become "
                                            "inactive on approval)."),
    branch: str = typer.Option(None, "--branch", help="Branch code (needed when there are several)."),
    out: Path = typer.Option(None, "--out", help="Also write the preview's JSON to this file."),
    as_user: str = typer.Option(None, "--as", help="Act as this panhuo user (a director or manager)."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable result on stdout."),
) -> None:
    """Fair, explained allocation of a branch's clients to its advisors: preview, approve, an advisor leaving."""
    from panhuo.cli.clients import _actor, _setup

    if not (preview or approve or advisor_leaves):
        fail("请指定 --preview、--approve 或 --advisor-leaves / give --preview, --approve or --advisor-leaves",
             as_json=as_json)
    if preview and approve and not advisor_leaves:
        fail("--preview 与 --approve 只能选一个 / choose --preview or --approve", as_json=as_json)
    if advisor_leaves and approve not in (None, NEW):
        fail(f"与 --advisor-leaves 同用时写 --approve {NEW} / with --advisor-leaves write --approve {NEW}",
             as_json=as_json)
    _setup()
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.http import Http404

    from panhuo.allocation import InfeasibleAllocation
    from panhuo.allocationweb.reasons import infeasible_text
    from panhuo.allocationweb.selectors import allocation_branch, preview_for_user, preview_json
    from panhuo.allocationweb.services import PreviewStale, preview_approve, preview_create
    from panhuo.clients.models import Advisor

    user, actor = _actor(as_user, as_json=as_json)
    try:
        if approve and approve != NEW:
            p = preview_for_user(user=user, preview_id=_preview_id(approve, as_json=as_json))
            done = preview_approve(preview=p, actor=actor)
            finish({"ok": True, **done, "by": actor.username}, as_json=as_json,
                   summary=f"已批准预览 {p.pk}：{done['moved']} 位客户更换投资顾问，{done['handover_tasks']} 项交接任务 / "
                           f"preview {p.pk} approved: {done['moved']} clients moved, "
                           f"{done['handover_tasks']} handover tasks")
            return
        b = allocation_branch(user=user, branch_id=branch)
        departing = None
        if advisor_leaves:
            departing = Advisor.objects.filter(branch=b, advisor_id=advisor_leaves, active=True).first()
            if departing is None:
                fail(f"本营业部没有此在职投资顾问 / no active advisor {advisor_leaves} in {b.branch_id}",
                     as_json=as_json, code=2)
        p = preview_create(branch=b, actor=actor, departing=departing)
        data = preview_json(p)
        if out:
            out.write_text(to_json(data) + "\n", encoding="utf-8")
        if approve == NEW:
            done = preview_approve(preview=p, actor=actor)
            finish({"ok": True, **done, "by": actor.username}, as_json=as_json,
                   summary=f"{advisor_leaves} 的客户已交接：{done['moved']} 位客户，{done['handover_tasks']} 项交接任务 / "
                           f"{advisor_leaves}'s book handed over: {done['moved']} clients")
            return
        finish(data, as_json=as_json, summary=_summary(data))
    except InfeasibleAllocation as exc:
        fail(f"{infeasible_text(exc.constraint, lang='zh', figures=exc.figures)} / "
             f"{infeasible_text(exc.constraint, lang='en', figures=exc.figures)}",
             as_json=as_json, constraint=exc.constraint, figures=exc.figures)
    except PreviewStale:
        fail("预览之后营业部已有变化，请重新预览 / the branch changed since the preview; make a new one",
             as_json=as_json)
    except ValidationError as exc:
        fail("; ".join(exc.messages), as_json=as_json)
    except (Http404, PermissionDenied):
        fail("找不到营业部或预览，或无权操作 / branch or preview not found, or not allowed", as_json=as_json, code=2)
