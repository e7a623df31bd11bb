"""The campaign report's numbers: treatment against control overall, by advisor and by channel. Pure Python.

Overall and by advisor compare randomised groups (the holdout is stratified by advisor, so each advisor has
their own control). By channel is different: a channel is what reached a treatment member, not something that
was randomised, so each channel's treatment members are compared with the whole control group and the report
says so; read it as descriptive.
"""

from __future__ import annotations

import warnings
from collections import defaultdict
from dataclasses import asdict, dataclass, field

import numpy as np

from panhuo.measure.lift import Lift, lift_binary, lift_clustered, lift_continuous

STAGES = ("A", "B", "C", "D")


@dataclass(frozen=True)
class ReportRow:
    group: str                 # "treatment" | "control"
    advisor: str
    channel: str               # what reached a treatment member ("" when nothing did or for control)
    outcome: float | None
    turnover_flag: bool = False
    stages: tuple[str, ...] = ()   # funnel stages reached after launch
    cluster: str = ""              # the unit of randomisation when whole advisors' books were randomised


@dataclass
class Report:
    binary: bool
    overall: Lift | None
    by_advisor: dict[str, Lift | None] = field(default_factory=dict)
    by_channel: dict[str, Lift | None] = field(default_factory=dict)
    funnel: dict[str, dict[str, int]] = field(default_factory=dict)     # group -> stage -> members reaching it
    sizes: dict[str, int] = field(default_factory=dict)
    flagged: int = 0
    pending: int = 0            # members without an outcome yet
    clustered: bool = False     # randomised by advisor: the overall lift is cluster-robust, no per-advisor lift
    clusters: dict[str, int] = field(default_factory=dict)     # group -> clusters (advisors) in it

    @property
    def few_clusters(self) -> bool:
        """Fewer than 10 clusters in an arm: the cluster-robust interval is then itself uncertain."""
        return self.clustered and min(self.clusters.get("treatment", 0), self.clusters.get("control", 0)) < 10

    def as_dict(self) -> dict:
        def lift(x):
            return asdict(x) if x is not None else None
        return {"binary": self.binary, "overall": lift(self.overall),
                "by_advisor": {k: lift(v) for k, v in self.by_advisor.items()},
                "by_channel": {k: lift(v) for k, v in self.by_channel.items()},
                "funnel": self.funnel, "sizes": self.sizes, "flagged": self.flagged, "pending": self.pending,
                "clustered": self.clustered, "clusters": self.clusters}


def _lift(t: list[float], c: list[float], binary: bool) -> Lift | None:
    try:
        # statsmodels also computes ratios, which divide by zero when control has no success: harmless here.
        with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return lift_binary(np.array(t), np.array(c)) if binary else lift_continuous(np.array(t), np.array(c))
    except ValueError:          # a group too small to compare
        return None


def _clustered_lift(done: list[ReportRow]) -> Lift | None:
    t = [r for r in done if r.group == "treatment"]
    c = [r for r in done if r.group == "control"]
    try:
        return lift_clustered([r.outcome for r in t], [r.cluster for r in t], [r.outcome for r in c],
                              [r.cluster for r in c])
    except ValueError:          # fewer than two clusters in a group
        return None


def build_report(rows: list[ReportRow], *, binary: bool, clustered: bool = False) -> Report:
    """With `clustered` (whole advisors' books randomised), the overall lift is cluster-robust
    (measure.lift.lift_clustered) and there is no lift by advisor: each advisor is in one group only."""
    done = [r for r in rows if r.outcome is not None]
    treat = [r.outcome for r in done if r.group == "treatment"]
    ctrl = [r.outcome for r in done if r.group == "control"]
    overall = _clustered_lift(done) if clustered else _lift(treat, ctrl, binary)
    rep = Report(binary=binary, overall=overall, clustered=clustered,
                 clusters={g: len({r.cluster for r in rows if r.group == g}) for g in ("treatment", "control")}
                 if clustered else {},
                 sizes={"treatment": sum(r.group == "treatment" for r in rows),
                        "control": sum(r.group == "control" for r in rows)},
                 flagged=sum(r.turnover_flag for r in rows), pending=len(rows) - len(done))
    by_adv: dict[str, dict[str, list[float]]] = defaultdict(lambda: {"treatment": [], "control": []})
    by_ch: dict[str, list[float]] = defaultdict(list)
    for r in rows:
        by_adv[r.advisor]              # every advisor gets a row, even with no outcome yet
    for r in done:
        by_adv[r.advisor][r.group].append(r.outcome)
        if r.group == "treatment" and r.channel:
            by_ch[r.channel].append(r.outcome)
    rep.by_advisor = {} if clustered else {a: _lift(g["treatment"], g["control"], binary)
                                           for a, g in sorted(by_adv.items())}
    rep.by_channel = {ch: _lift(v, ctrl, binary) for ch, v in sorted(by_ch.items())}
    for group in ("treatment", "control"):
        members = [r for r in rows if r.group == group]
        rep.funnel[group] = {s: sum(s in r.stages for r in members) for s in STAGES}
    return rep
