from __future__ import annotations

from datetime import date, timedelta

import pytest

RECENT = date.today() - timedelta(days=30)     # a risk assessment well inside its validity


@pytest.fixture
def vip(cast):
    """Alice's client CA001 as a VIP with a full profile: heavy position at a loss, inferred steady but
    self-assessed aggressive, a needs survey (growth, WeChat), C3 assessed recently, two holdings; the market
    weak (guidance 25%)."""
    from panhuo.clients.models import ClientSeries, ClientSnapshot, MarketDay, QuestionnaireAnswer

    c = cast.clients["CA001"]
    c.risk_level, c.risk_assessed_on = "C3", RECENT
    c.save()
    ClientSnapshot.objects.create(client=c, as_of=date.today(), total_assets=2_000_000, market_value=1_600_000,
                                  tier="vip", position_band="heavy", profit_state="loss", personality="steady")
    QuestionnaireAnswer.objects.create(client=c, questionnaire="personality", version=1, kind="personality",
                                       answers={}, total=40, band="aggressive", taken_on=RECENT, via="advisor")
    QuestionnaireAnswer.objects.create(
        client=c, questionnaire="needs", version=1, kind="needs", total=0, band="", taken_on=RECENT, via="link",
        answers={"goal": "growth", "horizon": "long", "return": "r10", "loss": "l10", "products": ["funds"],
                 "channel": "wechat", "time": "evening", "services": ["strategy"], "note": ""})
    ClientSeries.objects.create(client=c, as_of=date.today(), positions=[
        {"symbol": "600519.SH", "name": "贵州茅台", "quantity": 600, "cost_price": 1750.0, "close_price": 1666.7,
         "market_value": 1_000_000, "pnl": -50_000, "pnl_pct": -0.05},
        {"symbol": "000001.SZ", "name": "平安银行", "quantity": 50_000, "cost_price": 11.76, "close_price": 12.0,
         "market_value": 600_000, "pnl": 12_000, "pnl_pct": 0.02}])
    MarketDay.objects.create(date=date.today(), index_symbol="000001.SH", regime="weak", phase="D", position=0.25)
    return c
