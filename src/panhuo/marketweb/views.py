from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from panhuo.audit.services import audit_record
from panhuo.clients.models import Channel
from panhuo.clients.selectors import client_get_for_user
from panhuo.marketweb.selectors import market_day_latest, market_page, switch_refusal
from panhuo.marketweb.services import SendRefused, switch_send


@require_GET
def market(request):
    """Regime gauge, index chart with regime bands, today's pools and the model report, as of the last run."""
    day = market_day_latest()
    audit_record(user=request.user, action="market.view", object_type="market_day",
                 object_ids=[day.date.isoformat()] if day else [], request=request)
    ctx = market_page(day=day) if day else {"day": None}
    return render(request, "marketweb/market.html", ctx)


@require_POST
def switch_send_view(request, client_id: str):
    """HTMX: send the client's switch suggestion (registered advisors only; 404 out of reach). The answer says
    what happened: sent on which channel, not delivered and why, or not sent and exactly why."""
    partial = "marketweb/partials/switch_sent.html"
    client = client_get_for_user(user=request.user, client_id=client_id)    # once; out of reach is a 404
    try:
        sent = switch_send(user=request.user, client=client, request=request)
    except PermissionDenied:
        return render(request, partial, {"refused": switch_refusal(code="not_registered_advisor")}, status=403)
    except ValidationError:
        return render(request, partial, {"error": True}, status=400)
    except SendRefused as exc:
        # Refusing is an answer, not a failure: shown in place (HTMX swaps 2xx only), nothing was sent.
        return render(request, partial, {"refused": switch_refusal(code=exc.code, channels=exc.channels,
                                                                   detail=exc.detail)})
    return render(request, partial, {"sent": sent, "channel_label": Channel(sent.channel).label})
