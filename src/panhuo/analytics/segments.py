"""Client segments and the dormancy rules, as SQL over the `features` step; thresholds and labels live in
segments.toml (one file, Chinese and English labels).

Rankings break ties by client_id so both engines put every client in the same band.
"""

from __future__ import annotations

import tomllib
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from panhuo.analytics.features import FEATURES, Windows, feature_ctes, with_ctes

CONFIG_PATH = Path(__file__).with_name("segments.toml")

SEGMENTS = ["tier", "value_tier", "lifecycle", "is_dormant", "is_chinaclear_dormant", "position_band",
            "profit_state", "trading_style", "personality", "personality_inferred"]


_SECTION = {"value_tier": "value", "position_band": "position", "profit_state": "profit",
            "trading_style": "style", "is_dormant": "dormancy"}


@cache
def load_config(path: Path = CONFIG_PATH) -> dict[str, Any]:
    with open(path, "rb") as fh:
        return tomllib.load(fh)


def label(segment: str, key: str | None, lang: str = "zh", config: dict | None = None) -> str:
    """The display label of a segment value, e.g. label("lifecycle", "dormant") == "休眠"."""
    cfg = config or load_config()
    section = cfg[_SECTION.get(segment, segment)]
    for band in section.get("bands", []):
        if band["key"] == key:
            return band[lang]
    if "none" in section and section["none"]["key"] == key:
        return section["none"][lang]
    labels = section.get("labels", {})
    return labels[key][lang] if key in labels else (key or "")



def order(segment: str, config: dict | None = None) -> list[str]:
    """A segment's values in the order the config lists them (e.g. VIP, core, mass, none), for display."""
    cfg = config or load_config()
    section = cfg[_SECTION.get(segment, segment)]
    keys = [b["key"] for b in section.get("bands", [])]
    keys += [section["none"]["key"]] if "none" in section else []
    return keys + [k for k in section.get("labels", {}) if k not in keys]

def _tier_case(cfg: dict) -> str:
    whens = " ".join(f"WHEN asset_rank <= ceil({b['top_share']} * n_with_assets) THEN '{b['key']}'"
                     for b in cfg["tier"]["bands"])
    return f"CASE WHEN coalesce(assets_now, 0) <= 0 THEN '{cfg['tier']['none']['key']}' {whens} END"


def _value_case(cfg: dict) -> str:
    # A client belongs to the band in which their cumulative contribution *starts*, so the client who
    # crosses 80% is still "high".
    whens = " ".join(f"WHEN cum_commission - commission_365d < {b['cumulative_share']} * total_commission "
                     f"THEN '{b['key']}'" for b in cfg["value"]["bands"])
    return f"CASE WHEN commission_365d <= 0 THEN '{cfg['value']['none']['key']}' {whens} ELSE 'low' END"


def segment_ctes(as_of: date, config: dict | None = None, **feature_kw) -> list[tuple[str, str]]:
    return feature_ctes(as_of, **feature_kw) + segment_steps(as_of, config)


def segment_steps(as_of: date, config: dict | None = None) -> list[tuple[str, str]]:
    """The steps after `features` (a CTE or a table of that name); the last one, `segmented`, adds SEGMENTS."""
    cfg = config or load_config()
    w = Windows(as_of)
    dm, cc, lc = cfg["dormancy"], cfg["chinaclear"], cfg["lifecycle"]
    pos, pr, st, pe = cfg["position"], cfg["profit"], cfg["style"], cfg["personality"]
    since_start = f"date_diff('day', coalesce(open_date, first_trade_date), {w.d})"
    # One dormancy rule (docs/kpis.md): quiet since the last trade, or since opening for an account that never
    # traded, so an account opened last month is new, never dormant; is_dormant and the lifecycle agree.
    quiet = f"(coalesce(days_since_last_trade, {since_start}, 100000) >= {dm['min_days_without_trade']})"
    has_assets = f"coalesce(assets_now, 0) >= {dm['min_assets']}"
    pnl = "coalesce(unrealised_pnl_pct, return_90d)"
    style = (f"CASE WHEN turnover_6m IS NULL THEN 'unknown' WHEN turnover_6m > {st['high_frequency']} "
             f"THEN 'high_frequency' WHEN turnover_6m >= {st['short_term']} THEN 'short_term' "
             f"WHEN turnover_6m >= {st['medium_term']} THEN 'medium_term' ELSE 'long_term' END")
    # Rankings on a narrow projection: a window sorts every column it carries.
    totals = ("SELECT sum(CASE WHEN coalesce(assets_now, 0) > 0 THEN 1 ELSE 0 END) AS n_with_assets, "
              "sum(commission_365d) AS total_commission FROM features")
    ranks = """SELECT client_id,
      row_number() OVER (ORDER BY coalesce(assets_now, 0) DESC, client_id) AS asset_rank,
      sum(commission_365d) OVER (ORDER BY commission_365d DESC, client_id
                                 ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cum_commission
    FROM features"""
    ranked = f"""SELECT f.*, k.asset_rank, k.cum_commission, t.n_with_assets, t.total_commission,
      {style} AS trading_style
    FROM features f JOIN ranks k ON k.client_id = f.client_id CROSS JOIN totals t"""
    seg = f"""SELECT {', '.join(FEATURES)},
      {_tier_case(cfg)} AS tier,
      {_value_case(cfg)} AS value_tier,
      CASE WHEN {since_start} IS NOT NULL AND {since_start} <= {lc['new_days']} THEN 'new'
           WHEN {quiet} AND {has_assets} THEN 'dormant'
           WHEN {quiet} THEN 'lost'
           WHEN days_since_last_trade > {lc['declining_days']}
             OR trading_days_90d < {lc['declining_ratio']} * (trading_days_365d - trading_days_90d) / 3.0
             OR moved_out_share_90d >= {lc['moved_out_share']} THEN 'declining'
           ELSE 'active' END AS lifecycle,
      ({quiet} AND {has_assets}) AS is_dormant,
      (coalesce(market_value_now, 0) <= 0 AND instruments_held = 0 AND coalesce(cash_now, 0) <= {cc['max_cash']}
       AND (last_trade_date IS NULL OR days_since_last_trade >= {cc['min_days_without_trade']})) AS is_chinaclear_dormant,
      CASE WHEN position_level IS NULL THEN 'empty' WHEN position_level >= {pos['heavy']} THEN 'heavy'
           WHEN position_level <= {pos['light']} THEN 'light' ELSE 'medium' END AS position_band,
      CASE WHEN {pnl} IS NULL THEN 'unknown' WHEN {pnl} > {pr['band']} THEN 'profit'
           WHEN {pnl} < -{pr['band']} THEN 'loss' ELSE 'flat' END AS profit_state,
      trading_style,
      CASE WHEN questionnaire_score >= {pe['aggressive_min']} THEN 'aggressive'
           WHEN questionnaire_score >= {pe['steady_min']} THEN 'steady'
           WHEN questionnaire_score IS NOT NULL THEN 'conservative'
           WHEN trading_style IN ('high_frequency', 'short_term') OR position_level >= {pos['heavy']} THEN 'aggressive'
           WHEN trading_style IN ('long_term', 'unknown') AND coalesce(position_level, 0) <= {pos['light']}
             THEN 'conservative'
           ELSE 'steady' END AS personality,
      questionnaire_score IS NULL AS personality_inferred
    FROM ranked"""
    return [("totals", totals), ("ranks", ranks), ("ranked", ranked), ("segmented", seg)]


def segments_sql(as_of: date, config: dict | None = None, **feature_kw) -> str:
    """Features plus segments, one row per client, ordered by client_id."""
    return with_ctes(segment_ctes(as_of, config, **feature_kw), "SELECT * FROM segmented ORDER BY client_id")
