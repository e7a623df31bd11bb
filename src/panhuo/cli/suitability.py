"""`panhuo suitability check`: may a product of risk R1–R5 be recommended to a client? Recorded like every check.

Run as the operator logged in to the server (`os:<login>`), or `--as-user` to check within a user's reach.
"""

from __future__ import annotations

import typer

from panhuo.cli.app import app
from panhuo.cli.clients import _actor, _client_for, _setup
from panhuo.cli.output import fail, finish

suitability_app = typer.Typer(help="Suitability (适当性): check a product's risk against a client's level.",
                              no_args_is_help=True)
app.add_typer(suitability_app, name="suitability")


@suitability_app.command("check")
def check(
    client_id: str = typer.Option(..., "--client", help="The client's code."),
    product_risk: str = typer.Option(..., "--product-risk", help="The product's or service's risk: R1..R5."),
    product: str = typer.Option("", "--product", help="The product's code (a stock code, a fund code, a service)."),
    as_user: str = typer.Option(None, "--as-user", help="Check as this user (within their reach)."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable result on stdout."),
) -> None:
    """Answer allowed or not, the client's level and the reasons; the check is kept in the suitability record.
    Exit 1 when not allowed."""
    product_risk = product_risk.strip().upper()
    if product_risk not in ("R1", "R2", "R3", "R4", "R5"):
        fail(f"风险等级应为 R1..R5 / --product-risk takes R1..R5: {product_risk}", as_json=as_json, code=2)
    _setup()
    from panhuo.audit.services import audit_record
    from panhuo.clients.suitability import suitability_check

    user, actor = _actor(as_user, as_json=as_json)
    client = _client_for(user, client_id, as_json=as_json)
    decision = suitability_check(client=client, product_risk=product_risk, product=product, place="cli", user=user)
    audit_record(user=actor, action="suitability.check", object_type="client", object_ids=[client.client_id],
                 outcome="allowed" if decision.allowed else "refused",
                 detail={"product": product, "product_risk": product_risk, "reasons": decision.reasons})
    result = decision.as_json()
    finish(result, as_json=as_json,
           summary=f"{'可以推荐 / allowed' if decision.allowed else '不可推荐 / not allowed'}: {client.client_id} "
                   f"{decision.client_level or '未评估 / not assessed'} × {product_risk} {product} "
                   f"({', '.join(decision.reasons)})")
    if not decision.allowed:
        raise typer.Exit(1)
