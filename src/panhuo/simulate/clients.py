"""Clients of one chunk: the client master the branch sees and the latent traits it never sees.

Latent traits drive everything the client does: wealth (lognormal, so the top 20% hold about 80%), a
trading rate (gamma: most trade rarely, a few very often), engagement (a random walk with a client-specific
drift; it lowers activity and raises the dropout hazard as it falls), the dropout hazard itself, whether the
client drains the account before leaving, and how they respond to each contact channel.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from panhuo.simulate import people
from panhuo.simulate.config import CHANNELS

CHANNEL_LIFT = {"phone": 1.0, "sms": 0.35, "email": 0.2, "visit": 1.9, "event": 1.5}


@dataclass
class Latent:
    n: int
    institution: np.ndarray
    wealth: np.ndarray        # CNY the client is willing to keep at the branch
    open_day: np.ndarray      # index into the trading days
    rate: np.ndarray          # probability of trading on a given day at full engagement
    z0: np.ndarray            # initial engagement
    z_drift: np.ndarray       # daily drift of engagement
    hazard0: np.ndarray       # base daily hazard of starting to leave
    exit_rate: np.ndarray     # daily probability that a leaving client is gone
    drain_rate: np.ndarray    # daily probability that a leaving drainer starts emptying the account
    drainer: np.ndarray       # empties the account by bank transfer while leaving
    commission_rate: np.ndarray
    channel: np.ndarray       # preferred order channel: 0 online, 1 counter, 2 phone
    buy_fraction: np.ndarray  # share of free cash put into one buy
    max_positions: np.ndarray
    deposit_rate: np.ndarray
    bank: np.ndarray
    age: np.ndarray
    base_response: np.ndarray
    channel_response: dict    # channel -> (n,) probability of a positive response to one contact


# the mean of noise x exp(score) over the latent distributions, so that base_response keeps the Beta(1.3, 11)
# mean of about 0.106 (measured on 400,000 clients: 0.106 on 1-year branches, 0.107 on 3-year ones)
REACH_MEAN = 2.65
BETA_MEAN = 1.3 / 12.3


def reachability(draw: np.ndarray, *, rate: np.ndarray, z_drift: np.ndarray, wealth: np.ndarray,
                 open_day: np.ndarray, n_written: int) -> np.ndarray:
    """Base response to a contact: the Beta draw (the unobservable part) scaled by traits a branch can see.

    A client who used to trade often (rate), whose engagement is fading (z_drift < 0), with more money at the
    branch and a longer-held account answers contact more often than one who never traded. The transform is
    deterministic, so the random stream, and with it every other simulated table, is unchanged.
    """
    active = np.clip(np.log(np.maximum(rate, 1e-6) / 0.05) / 1.5, -2, 2)
    quiet = np.clip(-z_drift / 0.004, 0, 2)
    rich = np.clip((np.log(wealth) - np.log(55_000)) / 1.55, -2, 2)
    tenure = 1.0 - open_day / max(n_written, 1)
    score = 0.7 * active + 0.8 * quiet + 0.3 * rich + 0.3 * tenure
    noise = (draw / BETA_MEAN) ** 0.5           # the unobservable part, its spread damped
    return np.clip(BETA_MEAN * noise * np.exp(score) / REACH_MEAN, 0.0, 0.95)


def draw_latent(rng: np.random.Generator, n: int, n_days: int, n_written: int, regime: np.ndarray) -> Latent:
    inst = rng.random(n) < 0.004
    wealth = np.where(inst, rng.lognormal(np.log(4e6), 1.2, n), rng.lognormal(np.log(55_000), 1.55, n))
    wealth = np.clip(wealth, 2_000, 5e8)
    # the book on day one opened in the first weeks; the rest arrive over time, more in bull phases
    existing = rng.random(n) < 0.55
    weights = np.where(regime[:n_written] == 0, 2.0, np.where(regime[:n_written] == 1, 0.6, 1.0))
    cdf = np.cumsum(weights) / weights.sum()
    later = np.minimum(np.searchsorted(cdf, rng.random(n)), n_written - 1)
    open_day = np.where(existing, rng.integers(0, min(40, n_written), n), later).astype(np.int32)
    rate = np.minimum(rng.gamma(0.55, 0.16 / 0.55, n) * np.where(inst, 2.0, 1.0), 0.9)
    age = np.clip(rng.normal(46, 13, n), 20, 85).astype(int)
    z0 = rng.normal(0.2, 0.7, n)
    fading = rng.random(n) < 0.3
    z_drift = np.where(fading, -rng.uniform(0.002, 0.008, n), rng.normal(0.0, 0.0006, n))
    small = wealth < 20_000
    # small accounts leave more often (rare trading and fading engagement add to it day by day)
    hazard0 = 0.0004 * rng.lognormal(0.0, 0.3, n) * np.where(small, 1.6, 1.0) * np.where(inst, 0.4, 1.0)
    exit_rate = 1.0 / rng.uniform(100, 260, n)
    drain_rate = 1.0 / rng.uniform(40, 120, n)
    drainer = rng.random(n) < np.where(inst, 0.7, 0.45)
    commission_rate = np.round(np.where(inst, 0.0002, rng.uniform(0.0002, 0.0003, n)), 5)
    channel = np.where(rng.random(n) < np.clip((age - 30) / 200, 0.02, 0.25),
                       rng.choice([1, 2], n, p=[0.3, 0.7]), 0).astype(np.int8)
    base = reachability(rng.beta(1.3, 11.0, n), rate=rate, z_drift=z_drift, wealth=wealth, open_day=open_day,
                        n_written=n_written)
    old = np.clip((age - 25) / 50, 0, 1)
    channel_response = {}
    for ch in CHANNELS:
        taste = {"phone": 0.5 * old, "sms": -0.4 * old, "email": -0.6 * old, "visit": 0.6 * old,
                 "event": 0.3 * old}[ch]
        channel_response[ch] = np.clip(base * CHANNEL_LIFT[ch] * np.exp(taste + rng.normal(0, 0.35, n)), 0, 0.95)
    return Latent(
        n=n, institution=inst, wealth=wealth, open_day=open_day, rate=rate, z0=z0, z_drift=z_drift,
        hazard0=hazard0, exit_rate=exit_rate, drain_rate=drain_rate, drainer=drainer, commission_rate=commission_rate, channel=channel,
        buy_fraction=rng.uniform(0.25, 0.9, n), max_positions=rng.integers(1, 7, n).astype(np.int8),
        deposit_rate=rng.uniform(0.002, 0.02, n), bank=rng.integers(0, len(people.BANKS), n).astype(np.int8),
        age=age, base_response=base, channel_response=channel_response,
    )


def client_master(rng: np.random.Generator, lat: Latent, first_number: int, days: np.ndarray,
                  end: np.datetime64, advisor_ids: list[str], advisor_weights: np.ndarray) -> dict[str, list]:
    """The client master rows of one chunk (the columns of the canonical `clients` table)."""
    n = lat.n
    female = rng.random(n) < 0.46
    birth = (end - (lat.age * 365.25 + rng.integers(0, 365, n)).astype("timedelta64[D]")).astype("datetime64[D]")
    p = people.REGION_WEIGHTS / people.REGION_WEIGHTS.sum()
    region = np.array(people.REGIONS)[rng.choice(len(people.REGIONS), n, p=p)]
    names = np.array(people.person_names(rng, n, female), dtype=object)
    ids = np.array(people.id_numbers(rng, region, birth, female), dtype=object)
    inst = np.flatnonzero(lat.institution)
    names[inst] = people.company_names(rng, len(inst))
    ids[inst] = people.uscc_codes(rng, len(inst))
    gender = np.where(female, "女", "男").astype(object)
    gender[inst] = None
    birth_obj = birth.astype(object)
    birth_obj[inst] = None
    risk = rng.choice(["C1", "C2", "C3", "C4", "C5", ""], n, p=[0.05, 0.15, 0.4, 0.27, 0.11, 0.02]).astype(object)
    risk[lat.institution] = "C4"
    open_date = days[lat.open_day]
    assessed = open_date + rng.integers(0, 900, n).astype("timedelta64[D]")
    assessed = np.minimum(assessed, end).astype(object)
    risk_null = risk == ""
    risk[risk_null] = None
    assessed[risk_null] = None
    adv = np.array(advisor_ids, dtype=object)[rng.choice(len(advisor_ids), n, p=advisor_weights)]
    adv[rng.random(n) < 0.12] = None
    return {
        "client_id": [str(first_number + i) for i in range(n)],
        "branch_id": ["B001"] * n,
        "name": names.tolist(),
        "id_number": ids.tolist(),
        "phone": people.phones(rng, n),
        "gender": gender.tolist(),
        "birth_date": birth_obj.tolist(),
        "region": region.tolist(),
        "open_date": open_date.astype(object).tolist(),
        "client_type": np.where(lat.institution, "institution", "individual").tolist(),
        "risk_level": risk.tolist(),
        "risk_assessed_on": assessed.tolist(),
        "advisor_id": adv.tolist(),
        "do_not_contact": (rng.random(n) < 0.03).tolist(),
        "status": ["active"] * n,       # every simulated account is open; no random draw, so the rest is unchanged
    }
