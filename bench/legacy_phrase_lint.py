"""The phrase-list script lint as it was before issue 18 (commit 354aac2), kept as the benchmark's peer.

Unchanged except for the rules path: bench/legacy_script_rules.toml is that commit's script_rules.toml.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

RULES_PATH = Path(__file__).with_name("legacy_script_rules.toml")

# Traditional forms of the characters the rules use, so 保證收益 reads as 保证收益. Hand-written because a
# full converter (OpenCC) is a large dependency for the few dozen characters promises are made of.
_TRADITIONAL = str.maketrans({
    "證": "证", "穩": "稳", "賺": "赚", "險": "险", "虧": "亏", "擔": "担", "賠": "赔", "諾": "诺", "確": "确",
    "絕": "绝", "對": "对", "實": "实", "現": "现", "潤": "润", "錢": "钱", "漲": "涨", "內": "内", "幕": "幕",
    "息": "息", "損": "损", "報": "报", "績": "绩", "表": "表", "來": "来", "風": "风", "無": "无", "沒": "没",
    "會": "会", "產": "产", "品": "品", "獲": "获", "倍": "倍", "莊": "庄", "家": "家", "盈": "盈", "權": "权",
    "資": "资", "額": "额", "過": "过", "業": "业", "預": "预", "幾": "几", "萬": "万", "億": "亿", "數": "数",
})
# Spaces, punctuation and decoration inserted between characters to dodge a filter (保 本, 保-本, 保*本).
_FILLER = re.compile(r"[\s\u3000·•\-_*~^|/\\.,'\"`、]+")
# A promise verb right after a negation is a disclaimer (不能保证收益, 无法承诺回报), while a negated loss is
# still a promise (绝不会亏), so only these verbs are exempted when negated.
_PROMISE_VERBS = ("保证", "承诺", "确保", "担保", "保本", "保底", "肯定", "一定")
_NEGATION = re.compile(r"(不|不能|无法|并不|未|非|没法|不可|不会|难以)$")


@dataclass(frozen=True)
class Finding:
    category: str
    label_zh: str
    label_en: str
    matched: str


@dataclass
class LintResult:
    text: str
    blocked: bool
    findings: list[Finding] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)   # SMS requirements not met

    @property
    def ok(self) -> bool:
        return not self.blocked and not self.missing

    def reason(self, lang: str = "zh") -> str:
        parts = [f"{f.label_zh if lang == 'zh' else f.label_en}: {f.matched}" for f in self.findings]
        parts += self.missing
        return "; ".join(parts)


@dataclass(frozen=True)
class _Rule:
    category: str
    label_zh: str
    label_en: str
    regex: re.Pattern


@lru_cache(maxsize=4)
def _rules(path: Path = RULES_PATH) -> tuple[list[_Rule], re.Pattern, dict]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    rules = []
    for block in data.get("blocked", []):
        alternatives = [re.escape(normalise(p)) for p in block.get("phrases", [])] + block.get("patterns", [])
        rules.append(_Rule(block["category"], block["label_zh"], block["label_en"],
                           re.compile("|".join(f"(?:{a})" for a in alternatives))))
    allowed = sorted((normalise(p) for p in data.get("allowed", {}).get("phrases", [])), key=len, reverse=True)
    allowed_re = re.compile("|".join(re.escape(p) for p in allowed)) if allowed else re.compile(r"(?!)")
    return rules, allowed_re, data.get("sms", {})


def normalise(text: str) -> str:
    """Full-width to half-width, traditional to simplified, filler between characters removed, lower case."""
    text = unicodedata.normalize("NFKC", text).translate(_TRADITIONAL)
    return _FILLER.sub("", text).lower()


def lint_script(text: str, *, channel: str | None = None, rules_path: Path = RULES_PATH) -> LintResult:
    """Check one script. channel="sms" also requires the sender's name and an opt-out line."""
    rules, allowed_re, sms = _rules(rules_path)
    norm = normalise(text)
    # A disclaimer is cut out and replaced by a separator so it cannot join its neighbours into a phrase.
    scrubbed = allowed_re.sub("。", norm)
    findings = []
    for rule in rules:
        for m in rule.regex.finditer(scrubbed):
            if m.group(0).startswith(_PROMISE_VERBS) and _NEGATION.search(scrubbed[max(0, m.start() - 2):m.start()]):
                continue
            findings.append(Finding(rule.category, rule.label_zh, rule.label_en, m.group(0)))
    missing = []
    if channel == "sms":
        raw = unicodedata.normalize("NFKC", text).strip()
        if sms.get("sender_pattern") and not re.search(sms["sender_pattern"], raw):
            missing.append("短信缺少发送方签名【…】 / SMS lacks the sender's name 【…】")
        if sms.get("opt_out_pattern") and not re.search(sms["opt_out_pattern"], raw, re.I):
            missing.append("短信缺少退订方式（如 回复TD退订） / SMS lacks an opt-out line (e.g. 回复TD退订)")
    return LintResult(text=text, blocked=bool(findings), findings=findings, missing=missing)


def lint_lines(lines: list[str], *, channel: str | None = None) -> list[LintResult]:
    return [lint_script(line, channel=channel) for line in lines if line.strip()]
