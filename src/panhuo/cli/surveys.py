"""`panhuo surveys satisfaction-links`: satisfaction links for a sample of recent contacts, for the branch's usual
channel (an SMS tool) to send. The links are made by the system, not by the advisor rated (docs/service-plan.md).
"""

from __future__ import annotations

from datetime import date

import typer

from panhuo.cli.app import app
from panhuo.cli.clients import _setup
from panhuo.cli.output import finish

surveys_app = typer.Typer(help="Questionnaires (问卷): satisfaction links after a service.", no_args_is_help=True)
app.add_typer(surveys_app, name="surveys")


@surveys_app.command("satisfaction-links")
def satisfaction_links(
    days: int = typer.Option(7, "--days", min=1, help="Contacts of the last DAYS days that reached the client."),
    share: float = typer.Option(0.2, "--share", min=0.0, max=1.0, help="The share of them asked (a sample)."),
    seed: int = typer.Option(0, "--seed", help="The sample's seed (the same seed and day pick the same contacts)."),
    as_of: str = typer.Option(None, "--as-of", help="The day (YYYY-MM-DD); today by default."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable result on stdout."),
) -> None:
    """One link per client sampled (their latest contact not yet asked about), each working once for
    PANHUO_QUESTIONNAIRE_LINK_DAYS days. The phone numbers are not printed: the sending tool looks them up."""
    _setup()
    from django.conf import settings
    from django.urls import reverse
    from django.utils import timezone

    from panhuo.surveys.services import satisfaction_links_sample

    day = date.fromisoformat(as_of) if as_of else timezone.localdate()
    base = getattr(settings, "PANHUO_BASE_URL", "http://localhost:8000").rstrip("/")
    rows = [{"client": c.client.client_id, "contact": c.pk, "contact_at": c.at.isoformat(),
             "advisor": c.advisor.advisor_id if c.advisor else None,
             "url": base + reverse("surveys:public", args=[token])}
            for c, token in satisfaction_links_sample(as_of=day, days=days, share=share, seed=seed)]
    finish({"as_of": day.isoformat(), "links": rows}, as_json=as_json,
           summary=f"满意度调查链接 / satisfaction links: {len(rows)}")
