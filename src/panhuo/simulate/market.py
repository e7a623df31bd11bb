"""The simulated market: regimes, sector co-movement, volatility clustering, suspensions, price limits.

Returns follow a factor model r = beta_m * market + beta_s * sector + idiosyncratic, where each part has
GARCH(1,1) variance with Student-t shocks (fat tails and volatility clustering), the market drift and base
volatility switch between bull, bear and range phases lasting months, and idiosyncratic news jumps push some
stocks to their limit. Prices move in cents inside each board's limit band. Indices are cap-weighted over
their constituents, chained from the constituents' own bars, so they agree with them by construction.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from panhuo.simulate.config import BOARD_LIMITS, ST_LIMIT

REGIMES = ("bull", "bear", "range")
# (daily drift, base daily vol, mean duration in trading days)
REGIME_PARAMS = {0: (0.0016, 0.0195, 150), 1: (-0.0016, 0.024, 120), 2: (0.0, 0.0135, 100)}
INDUSTRIES = ("银行", "非银金融", "房地产", "建筑装饰", "建筑材料", "钢铁", "有色金属", "煤炭", "石油石化",
              "基础化工", "电力设备", "机械设备", "国防军工", "汽车", "家用电器", "轻工制造", "纺织服饰",
              "医药生物", "食品饮料", "农林牧渔", "商贸零售", "社会服务", "交通运输", "公用事业", "电子",
              "计算机", "通信", "传媒")
NAME_HEAD = list("华中东南北新国长天金海恒泰盛鑫宏兴福安康永信达通远凯嘉瑞德利亚博明隆宁川江山云")
NAME_SUFFIX = {"银行": "银行", "非银金融": "证券", "房地产": "地产", "医药生物": "药业", "食品饮料": "食品",
               "电子": "电子", "计算机": "软件", "通信": "通信", "传媒": "传媒", "汽车": "汽车",
               "电力设备": "电气", "有色金属": "矿业", "钢铁": "钢铁", "煤炭": "能源", "基础化工": "化工"}


@dataclass
class Market:
    days: np.ndarray          # datetime64[D], trading days incl. the unwritten future horizon
    n_written: int            # days[:n_written] are written (<= config.end)
    regime: np.ndarray        # (T,) int: 0 bull, 1 bear, 2 range
    symbols: np.ndarray       # (M,) str like 600000.SH
    names: np.ndarray
    exchange: np.ndarray
    board: np.ndarray
    industry: np.ndarray
    is_st: np.ndarray
    list_date: np.ndarray     # datetime64[D]
    limit: np.ndarray         # (M,) price-limit fraction
    open: np.ndarray          # (T, M) prices, suspended days carry pre_close
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    pre_close: np.ndarray
    volume: np.ndarray
    amount: np.ndarray
    turnover: np.ndarray      # percent, as the exchanges publish it
    suspended: np.ndarray     # (T, M) bool
    shares: np.ndarray        # (M,) total shares
    popularity: np.ndarray    # (T, M) weight a client picks a stock with (turnover and momentum)
    indices: dict             # symbol -> dict of (T,) arrays: open, high, low, close, pre_close, volume, amount, turnover
    index_members: dict       # symbol -> (M,) bool


def _regimes(rng: np.random.Generator, n: int) -> np.ndarray:
    out = np.empty(n, dtype=np.int8)
    state, t = int(rng.integers(0, 3)), 0
    while t < n:
        mean = REGIME_PARAMS[state][2]
        length = int(np.clip(rng.gamma(4.0, mean / 4.0), 40, 3 * mean))
        out[t:t + length] = state
        t += length
        state = int(rng.choice([s for s in range(3) if s != state]))
    return out


def _student(rng: np.random.Generator, nu: float, size) -> np.ndarray:
    """Student-t shocks scaled to unit variance."""
    return rng.standard_t(nu, size=size) / np.sqrt(nu / (nu - 2.0))


def _codes(rng: np.random.Generator, board: np.ndarray, exchange: np.ndarray) -> np.ndarray:
    pools = {
        ("main", "SH"): np.r_[600000:602000, 603000:604000, 605000:605600],
        ("main", "SZ"): np.r_[1:1000, 2001:3000, 3001:3050],
        ("chinext", "SZ"): np.r_[300001:301600],
        ("star", "SH"): np.r_[688001:689000],
        ("bse", "BJ"): np.r_[430001:430800, 830800:839999, 870000:874000],
    }
    codes = np.empty(len(board), dtype=object)
    for key, pool in pools.items():
        idx = np.flatnonzero((board == key[0]) & (exchange == key[1]))
        picked = np.sort(rng.choice(pool, size=len(idx), replace=False))
        codes[idx] = [f"{c:06d}.{key[1]}" for c in picked]
    return codes.astype(str)


def _names(rng: np.random.Generator, industry: np.ndarray, is_st: np.ndarray) -> np.ndarray:
    seen: set[str] = set()
    out = []
    for ind, st in zip(industry, is_st, strict=True):
        while True:
            name = "".join(rng.choice(NAME_HEAD, 2)) + NAME_SUFFIX.get(str(ind), str(ind)[:2])
            if name not in seen:
                break
        seen.add(name)
        out.append(("*ST" if st else "") + name)
    return np.array(out)


def _instruments(rng: np.random.Generator, m: int):
    board = rng.choice(["main", "chinext", "star", "bse"], size=m, p=[0.63, 0.2, 0.11, 0.06])
    exchange = np.where(board == "star", "SH", np.where(board == "chinext", "SZ",
                        np.where(board == "bse", "BJ", rng.choice(["SH", "SZ"], size=m, p=[0.55, 0.45]))))
    industry = np.array(INDUSTRIES)[rng.integers(0, len(INDUSTRIES), m)]
    is_st = (board == "main") & (rng.random(m) < 0.025)
    limit = np.where(is_st, ST_LIMIT, np.vectorize(BOARD_LIMITS.get)(board))
    return board, exchange, industry, is_st, limit.astype(float)


def _garch_path(rng, n_days, n_series, base_vol, nu, alpha, beta):
    """Yield per-day unit-variance GARCH returns scaled by base_vol[t] (n_series wide)."""
    var = np.full(n_series, 1.0)
    out = np.empty((n_days, n_series))
    z = _student(rng, nu, (n_days, n_series))
    for t in range(n_days):
        eps = np.sqrt(var) * z[t]
        out[t] = eps
        var = (1 - alpha - beta) + alpha * eps**2 + beta * var
        var = np.minimum(var, 25.0)
    return out * base_vol


def _slow_vol(rng: np.random.Generator, n_days: int, n_series: int) -> np.ndarray:
    """A slowly drifting volatility level per stock (months-long calm and busy spells): long memory in |r|."""
    out = np.empty((n_days, n_series))
    h = rng.normal(0.0, 0.3, n_series)
    shocks = rng.normal(0.0, 0.05, (n_days, n_series))
    for t in range(n_days):
        h = 0.985 * h + shocks[t]
        out[t] = h
    return np.exp(out - 0.5 * 0.3**2)


def build_market(seed: int, n_stocks: int, days: np.ndarray, n_written: int) -> Market:
    rng = np.random.default_rng([seed, 1])
    T, M = len(days), n_stocks
    regime = _regimes(rng, T)
    drift = np.array([REGIME_PARAMS[int(s)][0] for s in regime])
    mvol = np.array([REGIME_PARAMS[int(s)][1] for s in regime])
    mkt = drift + _garch_path(rng, T, 1, mvol[:, None], 4.0, 0.13, 0.85)[:, 0]
    n_ind = len(INDUSTRIES)
    sector = _garch_path(rng, T, n_ind, 0.0105, 5.0, 0.10, 0.88)
    sector += rng.normal(0, 0.0006, n_ind)  # some sectors lead, some lag, for the whole span

    board, exchange, industry, is_st, limit = _instruments(rng, M)
    symbols = _codes(rng, board, exchange)
    names = _names(rng, industry, is_st)
    ind_idx = np.array([INDUSTRIES.index(x) for x in industry])
    beta_m = np.clip(rng.normal(1.0, 0.25, M), 0.3, 1.8)
    beta_s = np.clip(rng.normal(1.0, 0.3, M), 0.2, 2.0)
    size = rng.lognormal(0.0, 1.0, M)                       # relative size: small caps move more
    idio_vol = {"main": 0.017, "chinext": 0.024, "star": 0.025, "bse": 0.030}
    ivol = np.vectorize(idio_vol.get)(board) * np.clip(size ** -0.15, 0.6, 1.6)
    idio = _garch_path(rng, T, M, ivol, 4.5, 0.14, 0.84) * _slow_vol(rng, T, M)
    ret = beta_m * mkt[:, None] + beta_s * sector[:, ind_idx] + idio
    # news jumps, more often up than down, and far more likely the day after a limit-up (连板 streaks)
    jump_u = rng.random((T, M))
    jump_size = np.where(rng.random((T, M)) < 0.68, 1.0, -1.0) * rng.uniform(0.03, 0.13, (T, M))

    # suspensions: rare starts, mostly a few days, sometimes weeks
    suspended = np.zeros((T, M), dtype=bool)
    starts = np.argwhere(rng.random((T, M)) < 0.0007)
    lengths = np.where(rng.random(len(starts)) < 0.08, rng.geometric(1 / 30, len(starts)),
                       rng.geometric(1 / 3, len(starts)))
    for (t, i), ln in zip(starts, lengths, strict=True):
        suspended[t:t + ln, i] = True

    price0 = np.round(np.clip(rng.lognormal(np.log(12.0), 0.8, M), 2.0, 400.0), 2)
    shares = np.round(size * 8e9 / price0, -4) * np.where(board == "bse", 0.15, 1.0)
    base_turn = np.exp(rng.normal(np.log(np.vectorize({"main": 0.9, "chinext": 2.6, "star": 2.0,
                                                       "bse": 2.2}.get)(board)), 0.5))
    regime_turn = np.array([1.45, 0.8, 1.0])[regime]

    shape = (T, M)
    o, h, lo, c, pc = (np.empty(shape) for _ in range(5))
    vol, amt, turn = (np.zeros(shape) for _ in range(3))
    prev = price0.copy()
    sigma = ivol + 0.012
    hot = np.zeros(M, dtype=bool)
    for t in range(T):
        up = np.round(prev * (1 + limit) + 1e-9, 2)
        dn = np.round(prev * (1 - limit) + 1e-9, 2)
        jump = jump_u[t] < np.where(hot, 0.3, 0.02)
        r_t = ret[t] + np.where(jump, np.where(hot, np.abs(jump_size[t]), jump_size[t]), 0.0)
        # no penny stocks: below 1.5 yuan a stock cannot fall further (real ones face delisting instead)
        r_t = np.where(prev < 1.5, np.abs(r_t), r_t)
        close = np.clip(np.round(prev * (1 + r_t), 2), dn, up)
        gap = np.clip(np.round(prev * (1 + 0.35 * r_t + rng.normal(0, 0.3, M) * sigma), 2), dn, up)
        wick = np.abs(rng.normal(0, 0.45, (2, M))) * sigma
        hi = np.clip(np.ceil(np.maximum(gap, close) * (1 + wick[0]) * 100 - 1e-6) / 100, None, up)
        low = np.clip(np.floor(np.minimum(gap, close) * (1 - wick[1]) * 100 + 1e-6) / 100, dn, None)
        hi = np.maximum(hi, np.maximum(gap, close))
        low = np.minimum(low, np.minimum(gap, close))
        s = suspended[t]
        close[s], gap[s], hi[s], low[s] = prev[s], prev[s], prev[s], prev[s]
        tr = base_turn * regime_turn[t] * np.exp(0.45 * np.abs(r_t) / sigma + rng.normal(0, 0.3, M) - 0.4)
        tr = np.where(s, 0.0, np.minimum(tr, 45.0))
        v = np.floor(tr / 100 * shares / 100) * 100
        vwap = (gap + hi + low + close) / 4
        o[t], h[t], lo[t], c[t], pc[t] = gap, hi, low, close, prev
        vol[t], amt[t], turn[t] = v, np.round(v * vwap, 2), np.round(np.where(s, 0, v / shares * 100), 4)
        hot = (close >= up) & ~s
        prev = close

    momentum = np.vstack([np.ones((1, M)), c[:-1] / pc[:-1]])
    popularity = np.where(suspended, 0.0, (turn + 0.05) * np.sqrt(size) * momentum**8)
    list_date = (days[0] - rng.integers(400, 9000, M).astype("timedelta64[D]")).astype("datetime64[D]")
    mkt_obj = Market(days, n_written, regime, symbols, names, exchange, board, industry, is_st, list_date, limit,
                     o, h, lo, c, pc, vol, amt, turn, suspended, shares, popularity, {}, {})
    _add_indices(mkt_obj)
    return mkt_obj


def _add_indices(m: Market) -> None:
    """000001.SH over every Shanghai listing; 000300.SH over the 300 largest non-Beijing stocks."""
    cap0 = m.shares * m.pre_close[0]
    eligible = m.board != "bse"
    top = np.argsort(-np.where(eligible, cap0, -1))[: min(300, int(eligible.sum()))]
    members300 = np.zeros(len(m.symbols), dtype=bool)
    members300[top] = True
    for sym, members, base in (("000001.SH", m.exchange == "SH", 3050.0), ("000300.SH", members300, 3900.0)):
        m.index_members[sym] = members
        w = (m.shares * m.pre_close)[:, members]          # weights at the previous close
        w = w / w.sum(axis=1, keepdims=True)
        pc = m.pre_close[:, members]
        rel = {k: (getattr(m, k)[:, members] / pc * w).sum(axis=1) for k in ("open", "high", "low", "close")}
        level = base * np.cumprod(rel["close"])
        prev = np.r_[base, level[:-1]]
        op = prev * rel["open"]
        hi = np.maximum(prev * rel["high"], np.maximum(op, level))
        lo = np.minimum(prev * rel["low"], np.minimum(op, level))
        vol = m.volume[:, members].sum(axis=1)
        float_sh = m.shares[members].sum()
        m.indices[sym] = {"open": np.round(op, 3), "high": np.round(hi, 3), "low": np.round(lo, 3),
                          "close": np.round(level, 3), "pre_close": np.round(prev, 3), "volume": vol,
                          "amount": m.amount[:, members].sum(axis=1), "turnover": np.round(vol / float_sh * 100, 4)}
