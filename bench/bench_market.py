"""Market benchmarks (issue #8): indicators, every model, and the backtester beside vectorbt and bare numpy.

Targets (full scale, 2 cores): indicators for 5,000 × 2,500 bars ≤ 5 s; all five models (chip concentration
included) over 5,000 stocks × 10 years ≤ 10 s; on a 20-day moving-average crossover over 5,000 × 2,500, our
backtester with every A-share rule on within 2× of a bare numpy version. Each part runs in a fresh process.
"""

from __future__ import annotations

from bench.common import Result, run_child

SIZES = {"quick": (500, 600), "full": (5000, 2500)}   # (symbols, sessions)

SETUP = r'''
import json, sys, time
import numpy as np
N, T = int(sys.argv[1]), int(sys.argv[2])
rng = np.random.default_rng(42)

class clock:
    """Wall and CPU seconds (user + sys of this process): on a shared 2-core machine the CPU figure
    shows the work, the wall figure what the user waits."""
    def __enter__(self):
        self.w, self.c = time.perf_counter(), time.process_time()
        return self
    def __exit__(self, *exc):
        self.seconds, self.cpu = time.perf_counter() - self.w, time.process_time() - self.c

def synthetic_panel():
    from panhuo.market.panel import Panel
    dates = np.busday_offset(np.datetime64("2014-01-02"), np.arange(T), roll="forward")
    r = rng.normal(0.0003, 0.022, (T, N)).clip(-0.0999, 0.0999)
    close = np.round(10 * np.exp(np.cumsum(r, axis=0)), 2)
    pre = np.vstack([close[:1], close[:-1]])
    opn = np.round(pre * np.exp(rng.normal(0, 0.008, (T, N))), 2).clip(pre * 0.9, pre * 1.1)
    high = np.maximum(opn, close) * (1 + rng.uniform(0, 0.02, (T, N)))
    low = np.minimum(opn, close) * (1 - rng.uniform(0, 0.02, (T, N)))
    vol = rng.lognormal(15, 0.5, (T, N))
    tradable = rng.random((T, N)) > 0.002
    codes = np.array([f"{600000 + j:06d}.SH" if j % 2 else f"{j:06d}.SZ" for j in range(N)])
    return Panel(dates=dates, symbols=codes, open=opn, high=high, low=low, close=close, pre_close=pre,
                 volume=np.where(tradable, vol, 0.0), amount=vol * close, turnover=rng.uniform(0.002, 0.05, (T, N)),
                 adj_factor=np.ones((T, N)), listed=np.ones((T, N), bool), tradable=tradable,
                 is_st=np.zeros((T, N), bool), board=np.array(["main"] * N),
                 industry=np.array([f"ind{j % 100}" for j in range(N)]), names=codes,
                 list_date=np.full(N, np.datetime64("NaT"), dtype="datetime64[D]"),
                 no_limit_flag=np.zeros((T, N), bool))
'''

INDICATORS = SETUP + r'''
from panhuo.market import indicators as ind
p = synthetic_panel()
c, h, l, v = p.close, p.high, p.low, p.volume
with clock() as k:
    for n in (5, 10, 20, 60):
        ind.ma(c, n)
    ind.ema(c, 12); ind.ema(c, 26); ind.macd(c); ind.rsi(c, 6); ind.rsi(c, 14, "talib")
    ind.kdj(h, l, c); ind.boll(c); ind.atr(h, l, c); ind.atr(h, l, c, 14, "talib"); ind.obv(c, v); ind.volume_ratio(v)
print(json.dumps({"seconds": k.seconds, "cpu": k.cpu}))
'''

MODELS = SETUP + r'''
from panhuo.market.models import MODELS
p = synthetic_panel()
p.limits()
out = {}
with clock() as k:
    for name, m in MODELS.items():
        t = time.perf_counter()
        s = m.build(p)
        out[name] = time.perf_counter() - t
        out[name + "_entries"] = int(s.signals.entries.sum())
out["seconds"], out["cpu"] = k.seconds, k.cpu
print(json.dumps(out))
'''

OURS = SETUP + r'''
from panhuo.market import indicators as ind
from panhuo.market.backtest import BacktestConfig, run_backtest
from panhuo.market.signals import crossover
p = synthetic_panel()
p.limits()
with clock() as k:
    sig = crossover(p.close, ind.ma(p.close, 20))
    r = run_backtest(p, sig, start=p.dates[1], end=p.dates[-1],
                     config=BacktestConfig(capital=1e9, max_positions=N))
print(json.dumps({"seconds": k.seconds, "cpu": k.cpu, "fills": r.fills.height, "final": float(r.equity[-1])}))
'''

NUMPY = SETUP + r'''
p = synthetic_panel()
with clock() as k:
    c = p.close
    cs = np.vstack([np.zeros((1, N)), np.cumsum(c, axis=0)])
    ma = np.full_like(c, np.nan); ma[19:] = (cs[20:] - cs[:-20]) / 20
    above = c > ma
    pos = np.vstack([np.zeros((1, N), bool), above[:-1]])            # act the next session
    ret = np.vstack([np.zeros((1, N)), c[1:] / c[:-1] - 1])
    trades = np.abs(np.diff(pos.astype(np.int8), axis=0, prepend=0))
    equity = np.cumprod(1 + pos * ret - trades * 0.00025, axis=0)
print(json.dumps({"seconds": k.seconds, "cpu": k.cpu, "final": float(equity[-1].mean())}))
'''

VECTORBT = SETUP + r'''
import vectorbt as vbt
p = synthetic_panel()
c = p.close
times = []
for _ in range(2):     # first call compiles (fresh process), second is warm
    with clock() as k:
        ma = vbt.MA.run(c, 20).ma.values
        above = c > ma
        prev = np.vstack([np.zeros((1, N), bool), above[:-1]])
        pf = vbt.Portfolio.from_signals(c, above & ~prev, ~above & prev, fees=0.00025, init_cash=1e5)
        v = pf.value()
    times.append(k)
print(json.dumps({"seconds": times[0].seconds, "warm_seconds": times[1].seconds, "cpu": times[0].cpu,
                  "warm_cpu": times[1].cpu}))
'''


def run(scale: str) -> list[Result]:
    import os

    n, t = SIZES[scale]
    load = os.getloadavg()[0]
    args = (str(n), str(t))
    size = f"{n:,} × {t:,}"
    results = []
    ind = run_child(INDICATORS, *args)
    results.append(Result("market.indicators", "seconds", ind["seconds"], target="<= 5 s at 5,000 × 2,500",
                          met=ind["seconds"] <= 5 if scale == "full" else None,
                          note=f"{size}: MA×4, EMA×2, MACD, RSI×2, KDJ, BOLL, ATR×2, OBV, volume ratio; "
                               f"CPU {ind['cpu']:.2f} s; machine load average {load:.1f} on 2 cores at start"))
    mod = run_child(MODELS, *args)
    per = ", ".join(f"{k} {v:.2f}s" for k, v in mod.items() if k not in ("seconds", "cpu", "wall_seconds", "peak_rss_gib")
                    and not k.endswith("_entries"))
    results.append(Result("market.models_all_five", "seconds", mod["seconds"], target="<= 10 s at 5,000 × 2,500",
                          met=mod["seconds"] <= 10 if scale == "full" else None,
                          note=f"{size}: {per}; CPU {mod['cpu']:.2f} s"))
    ours = run_child(OURS, *args)
    bare = run_child(NUMPY, *args)
    peers = {"bare_numpy": bare["seconds"]}
    note = (f"{size}, MA20 crossover; ours: one portfolio, T+1, limits, lots, fees, {ours['fills']:,} fills; "
            f"CPU ours {ours['cpu']:.2f} s, numpy {bare['cpu']:.2f} s")
    try:
        vbt = run_child(VECTORBT, *args)
        peers["vectorbt_fresh"] = vbt["seconds"]
        peers["vectorbt_warm"] = vbt["warm_seconds"]
        note += f", vectorbt {vbt['cpu']:.2f} s fresh / {vbt['warm_cpu']:.2f} s warm"
    except RuntimeError as e:     # vectorbt is optional (a benchmark peer, not a dependency)
        note += f"; vectorbt unavailable ({str(e).splitlines()[-1][:80]})"
    results.append(Result("market.backtest_ma_crossover", "seconds", ours["seconds"],
                          target="<= 2 × bare numpy at 5,000 × 2,500",
                          met=ours["seconds"] <= 2 * bare["seconds"] if scale == "full" else None, peers=peers, note=note))
    return results
