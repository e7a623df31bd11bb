from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from panhuo.audit.services import audit_record
from panhuo.marketweb.selectors import market_day_latest, market_page
from panhuo.marketweb.services import switch_send


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
    """HTMX: send the client's switch suggestion (registered advisors only; 404 out of reach, 403 otherwise)."""
    try:
        event = switch_send(user=request.user, client_id=client_id, request=request)
    except ValidationError:
        return render(request, "marketweb/partials/switch_sent.html", {"error": True}, status=400)
    return render(request, "marketweb/partials/switch_sent.html", {"event": event})
