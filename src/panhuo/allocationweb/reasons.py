"""The engine's reasons in words, Chinese and English: the page, the CLI and the handover task say why a client
moves and why to this advisor, never the codes (panhuo.allocation.result lists them with their figures).

Both languages are written here side by side, as the tasks store them (Task.reason_zh / reason_en), so a task
made during an approval in one language reads right to an advisor who works in the other.
"""

from __future__ import annotations

from panhuo.formatting import cn_percent

LEVELS = {"junior": ("初级投资顾问", "junior advisor"), "senior": ("资深投资顾问", "senior advisor"),
          "principal": ("首席投资顾问", "principal advisor")}

# code -> (zh, en); {value} {limit} {ref} {who} are filled in. {who} is the advisor named by ref, when known.
TEXTS = {
    "kept": ("保持原投资顾问", "stays with the current advisor"),
    "unassigned": ("此前没有投资顾问", "had no advisor"),
    "unknown_advisor": ("原投资顾问不在本营业部名册中", "the advisor on record is not on the branch's list"),
    "advisor_departed": ("原投资顾问{who}已离职", "the previous advisor {who} has left"),
    "vip_rule": ("VIP客户应由资深或首席投资顾问服务（原为{ref}）",
                 "VIP clients are served by senior or principal advisors (was a {ref})"),
    "over_capacity": ("原投资顾问的客户数{value}超出服务能力{limit}",
                      "the previous advisor held {value} clients against a capacity of {limit}"),
    "band_clients": ("原投资顾问的客户数偏离同级平均{value}（允许±{limit}）",
                     "the previous book's client count was {value} off its level's mean (band ±{limit})"),
    "band_assets": ("原投资顾问的客户资产偏离同级平均{value}（允许±{limit}）",
                    "the previous book's assets were {value} off its level's mean (band ±{limit})"),
    "band_dormant": ("原投资顾问的休眠客户数偏离同级平均{value}（允许±{limit}）",
                     "the previous book's dormant clients were {value} off its level's mean (band ±{limit})"),
    "rebalance": ("为使同级投资顾问的客户结构均衡", "to even out the books of advisors of the same level"),
    "vip_senior": ("新投资顾问为{ref}，可服务VIP客户", "the new advisor is a {ref}, who may serve VIP clients"),
    "same_region": ("与新投资顾问同在{ref}", "in the same region as the new advisor ({ref})"),
    "style_fit": ("新投资顾问擅长{ref}，适合客户的交易风格", "the new advisor's {ref} suits the client's trading style"),
    "risk_fit": ("新投资顾问擅长{ref}，适合客户的风险等级", "the new advisor's {ref} suits the client's risk level"),
    "preference_fit": ("新投资顾问擅长{ref}，适合客户的产品偏好",
                       "the new advisor's {ref} suits the client's product preference"),
    "room": ("新投资顾问调整后服务{value}位客户，服务能力{limit}位",
             "the new advisor will serve {value} clients with a capacity of {limit}"),
}

# The rule an infeasible branch breaks (InfeasibleAllocation.constraint), in words.
INFEASIBLE = {
    "capacity": ("客户数超出在职投资顾问的服务能力：请增加投资顾问、提高服务能力，或在分配设置中选择按比例分担超额。",
                 "More clients than the active advisors can serve: add advisors, raise capacities, or choose to "
                 "share the overload in the allocation settings."),
    "vip_rule": ("VIP客户多于资深和首席投资顾问能服务的数量：请增加资深或首席投资顾问，或提高其服务能力。",
                 "More VIP clients than the senior and principal advisors can serve: add such advisors or raise "
                 "their capacities."),
    "band_clients": ("在当前服务能力下，同级投资顾问的客户数无法落在公平区间内：请放宽公平区间。",
                     "The advisors of one level cannot hold client counts within the fairness band at these "
                     "capacities: widen the band."),
    "band_assets": ("同级投资顾问的客户资产无法落在公平区间内（少数大户无法拆分）：请放宽公平区间。",
                    "The advisors of one level cannot hold assets within the fairness band (a few large clients "
                    "cannot be split): widen the band."),
    "band_dormant": ("同级投资顾问的休眠客户数无法落在公平区间内：请放宽公平区间。",
                     "The advisors of one level cannot hold dormant clients within the fairness band: widen the "
                     "band."),
}


def _lang(lang: str | None) -> int:
    return 0 if (lang or "zh").lower().startswith("zh") else 1


def _figure(code: str, x: float | None) -> str:
    if x is None:
        return ""
    if code.startswith("band_") or code == "band":
        return cn_percent(abs(x), digits=1)
    return f"{int(round(x)):,}"


def reason_text(reason: dict, *, lang: str, names: dict[str, str] | None = None) -> str:
    """One reason ({code, value, limit, ref}) in words."""
    code = reason.get("code") or ""
    pair = TEXTS.get(code)
    if pair is None:       # a reason the engine learns later: say nothing rather than show a code
        return ""
    i = _lang(lang)
    ref = reason.get("ref") or ""
    if code in ("vip_rule", "vip_senior"):
        ref = LEVELS.get(ref, (ref, ref))[i]
    who = (names or {}).get(ref, "") if code == "advisor_departed" else ""
    limit = reason.get("limit")
    return pair[i].format(value=_figure(code, reason.get("value")),
                          limit=_figure("band" if code.startswith("band_") else code, limit),
                          ref=ref, who=who).replace("  ", " ")


def reasons_text(reasons: list[dict] | None, *, lang: str, names: dict[str, str] | None = None) -> str:
    """Every reason of one assignment, joined as a sentence."""
    sep = "；" if _lang(lang) == 0 else "; "
    return sep.join(t for t in (reason_text(r, lang=lang, names=names) for r in reasons or ()) if t)


# The figures behind a refusal, said before what to do.
FIGURES = {
    "capacity": ("{clients:,}位客户，在职投资顾问的服务能力合计{capacity:,}位。", "{clients:,} clients; the active advisors "
                 "can serve {capacity:,} in all. "),
    "vip_rule": ("{vip_clients:,}位VIP客户，资深和首席投资顾问的服务能力合计{capacity:,}位。", "{vip_clients:,} VIP clients; "
                 "the senior and principal advisors can serve {capacity:,}. "),
}


def infeasible_text(constraint: str, *, lang: str, figures: dict | None = None) -> str:
    """Why the branch cannot be allocated and what to do, with the figures when the engine gave them."""
    i = _lang(lang)
    pair = INFEASIBLE.get(constraint, ("当前条件下无法完成分配：请放宽公平区间。",
                                       "The branch cannot be allocated under these rules: widen the band."))
    head = ""
    if constraint in FIGURES:
        try:
            head = FIGURES[constraint][i].format(**{k: int(v) for k, v in (figures or {}).items()
                                                    if isinstance(v, int | float)})
        except (KeyError, ValueError):
            head = ""
    return head + pair[i]


def level_label(level: str, *, lang: str) -> str:
    return LEVELS.get(level, (level, level))[_lang(lang)]
