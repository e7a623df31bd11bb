"""market_daily: the day's regime, charts, pools, report and switch drafts, checked against panhuo.market."""

from __future__ import annotations

import polars as pl

from panhuo.clients.models import MarketDay
from panhuo.market import data
from panhuo.market.daily import split_bars
from panhuo.market.facade import pools_today, regime_gauge
from panhuo.market.models import MODELS
from panhuo.market.switch import Holding, suggest_switch
from panhuo.marketweb.models import SwitchDraft


def _panel(wh):
    bars = data.fetch(wh)
    return split_bars(bars, wh.con.cursor().sql("SELECT * FROM instruments").pl())


def test_the_day_is_written_as_the_market_code_computes_it(market_ran, market_wh, sim_market):
    day = MarketDay.objects.get()
    assert day.date == sim_market.end == market_ran["date"]
    indices, panel = _panel(market_wh)
    g = regime_gauge(indices["000001.SH"], sim_market.end, panel=panel)
    assert (day.regime, day.phase, day.position) == (g.regime, g.phase, g.position)
    assert day.position == {"strong": 0.75, "consolidating": 0.5, "weak": 0.25}[day.regime]
    assert day.gauge["score"] == g.score and day.gauge["trend"] == g.trend
    assert 0 <= day.gauge["breadth"] <= 1 and day.gauge["volatility"] > 0

    assert set(day.charts) == {"000001.SH", "000300.SH"}
    for sym, ch in day.charts.items():
        assert ch["dates"][-1] == sim_market.end.isoformat() and len(ch["dates"]) == len(ch["close"]) == 250
        closes = indices[sym].filter(pl.col("trade_date") <= sim_market.end)["close"].tail(250).to_list()
        assert ch["close"] == [round(c, 2) for c in closes]
        assert ch["bands"][0][0] >= ch["dates"][0] and ch["bands"][-1][1] == ch["dates"][-1]
        assert {b[2] for b in ch["bands"]} <= {"strong", "consolidating", "weak"}

    expected = pools_today(panel, sim_market.end)
    assert set(day.pools) == set(MODELS)
    for name, p in day.pools.items():
        assert [e["symbol"] for e in p["entries"]] == [e.symbol for e in expected[name]]
        assert [e["rank"] for e in p["entries"]] == list(range(1, len(p["entries"]) + 1))
        assert all(e["reason"] and e["date"] == sim_market.end.isoformat() and e["model"] == name
                   for e in p["entries"])
    assert sum(len(p["entries"]) for p in day.pools.values()) > 0


def test_the_model_report_holds_every_model_to_the_claims(market_ran):
    report = MarketDay.objects.get().report
    assert report["sessions"] == 250 and report["stocks"] == 60
    assert {(r["model"], r["variant"]) for r in report["rows"]} == {(m, v) for m in MODELS for v in ("all", "own")}
    for r in report["rows"]:
        assert r["max_drawdown"] >= 0 and r["turnover_per_year"] >= 0 and r["trades"] >= 0
        assert r["win_rate"] is None or 0 <= r["win_rate"] <= 1
    claims = {c["claim"]: c for c in report["claims"]}
    own = next(r for r in report["rows"] if r["model"] == "high_sell_low_buy" and r["variant"] == "own")
    assert claims["low_buy"]["annual_return"] == own["annual_return"]
    assert claims["low_buy"]["consistent"] == (own["annual_return"] >= 0.15 and own["turnover_per_year"] >= 13)
    wins = [r["win_rate"] for r in report["rows"] if r["variant"] == "all" and r["win_rate"] is not None]
    assert (claims["win_rate"]["low"], claims["win_rate"]["high"]) == (min(wins), max(wins))


def test_switch_drafts_match_the_market_suggestion(market_ran, market_wh, sim_market, holdings, cast):
    draft = SwitchDraft.objects.get(client=cast.clients["CA001"])
    _, panel = _panel(market_wh)
    day = MarketDay.objects.get()
    hs = [Holding(p["symbol"], p["quantity"], p["cost_price"]) for p in holdings]
    ref = suggest_switch(panel, hs, sim_market.end, regime=day.regime, sender_is_registered_advisor=True)
    assert [w["symbol"] for w in draft.weak] == [w.symbol for w in ref.weak] == [sim_market.weak_symbol]
    assert [c["symbol"] for c in draft.candidates] == [c.symbol for c in ref.candidates]
    assert draft.candidates and all(c["model"] in draft.model_names and c["date"] == sim_market.end.isoformat()
                                    for c in draft.candidates)
    assert not {c["symbol"] for c in draft.candidates} & {p["symbol"] for p in holdings}
    assert draft.disclosure == ref.disclosure
    # CB001 holds nothing: no draft; the step reports what it wrote.
    assert not SwitchDraft.objects.filter(client=cast.clients["CB001"]).exists()
    assert market_ran["switch_drafts"] == 1 and market_ran["clients_with_weak_holdings"] == 1


def test_a_rerun_replaces_the_day(market_ran, market_wh, sim_market):
    from panhuo.marketweb.services import market_daily

    again = market_daily(wh=market_wh, as_of=sim_market.end)
    assert again == market_ran
    assert MarketDay.objects.count() == 1 and SwitchDraft.objects.count() == 1
