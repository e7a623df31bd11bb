"""Compliance check of scripts (话术) and messages: no promise of returns or principal, in any wording.

Pure Python (no Django): used by `panhuo campaign lint`, by campaign launch and by the script editor.

The check reads the language rather than a list of phrases: the text is normalised, segmented into words
(jieba), cut into sentences and clauses, and clause-level rules look for a promise marker together with an
outcome (保证 … 收益, 一定 … 回本), a negated loss (不会亏, 没有任何风险), a return in figures (月收益八个点),
a certainty claim (胜率100%), inside information or manipulation, or churning. Scope then drops the hits that
are quoted, not made: negated markers (不承诺收益), warnings (谨防保本保收益的诈骗) and judgements
(承诺稳赚的都是骗局). The words and rules live in script_rules.toml so compliance can extend them without code;
every finding carries its rule id, the regulation it enforces and its span in the original text.

Beside the rules, a character n-gram model (lint_model.py) may raise `review` on a text the rules pass: it asks a
compliance officer to look, it never blocks a text and never clears a rule's hit.
"""

from __future__ import annotations

import logging
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import jieba

from panhuo.outreach.lint_model import REVIEW_THRESHOLD, promise_probability

RULES_PATH = Path(__file__).with_name("script_rules.toml")

# Traditional forms of the characters promises are made of, so 保證收益 reads as 保证收益. Hand-written because
# a full converter (OpenCC) is a large dependency for the few dozen characters the rules need.
_TRADITIONAL = str.maketrans(dict(zip(
    "證穩賺險虧擔賠諾確絕對實現潤錢漲內損報績來風無沒會產獲莊權資額過業預幾萬億數準龍頭錯選們顧團隊場營點個這還與買賣"
    "進機構兩負責廣後開關門間時長際問題閉銀託幫讓將應該說話請謹詐騙舉樣紅況雙齊勝達從麼盤補償贏輸掙積極計劃們証"
    "幣單筆戶帳號碼優惠專屬標價漲跌週萬億盈虧穩賺贏淨",
    "证稳赚险亏担赔诺确绝对实现润钱涨内损报绩来风无没会产获庄权资额过业预几万亿数准龙头错选们顾团队场营点个这还与买卖"
    "进机构两负责广后开关门间时长际问题闭银托帮让将应该说话请谨诈骗举样红况双齐胜达从么盘补偿赢输挣积极计划们证"
    "币单笔户账号码优惠专属标价涨跌周万亿盈亏稳赚赢净", strict=True)))
# Spaces and decoration put between Chinese characters to dodge a filter (保 本, 保-本, 保*本). Only between
# Chinese characters: a dot between digits is a decimal point (年化12.5%).
_FILLER = re.compile(r"(?<=[\u4e00-\u9fff])[\s\u3000·•\-_*~^|/\\.'\"`、]+(?=[\u4e00-\u9fff])")
_SENTENCE_END = frozenset("。!?;\n")
_CLAUSE_END = frozenset(",:()[]()〔〕…")
# These start a new clause: what follows 但 is a new claim ("不保证收益，但一定回本").
_CLAUSE_START = frozenset({"但", "但是", "不过", "然而", "可是", "而且", "并且", "还", "答"})
_NUM = r"(?:\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+(?:点[零一二三四五六七八九]+)?)"
_RATE = rf"(?:{_NUM}\s*(?:%|个点|个百分点|成|倍|番)|百分之{_NUM}|百分之百|百分百|翻一?番|翻倍|翻{_NUM}[倍番]|一半)"


@dataclass(frozen=True)
class Finding:
    category: str
    label_zh: str
    label_en: str
    matched: str                 # the words in the original text
    rule_id: str = ""
    regulation: str = ""
    start: int = 0               # span in the original text, for highlighting: text[start:end] == matched
    end: int = 0


@dataclass
class LintResult:
    text: str
    blocked: bool
    findings: list[Finding] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)   # SMS requirements not met
    review_score: float = 0.0    # the statistical model's promise probability (lint_model.py)
    review: bool = False         # the rules pass it but the model finds it promise-like: compliance should look

    @property
    def ok(self) -> bool:
        return not self.blocked and not self.missing

    def segments(self) -> list[tuple[str, Finding | None]]:
        """The text cut at the findings' spans, for highlighting: [(piece, finding or None), …] in order.
        Overlapping spans are merged into the first finding's piece."""
        out, at = [], 0
        for f in sorted(self.findings, key=lambda f: (f.start, -f.end)):
            if f.end <= at:
                continue
            start = max(f.start, at)
            if start > at:
                out.append((self.text[at:start], None))
            out.append((self.text[start:f.end], f))
            at = f.end
        if at < len(self.text):
            out.append((self.text[at:], None))
        return out

    def reason(self, lang: str = "zh") -> str:
        # No rule ids here: pages show this text, and staff read the rule's label, not its code.
        parts = [f"{f.label_zh if lang == 'zh' else f.label_en}: {f.matched}" for f in self.findings]
        parts += self.missing
        return "; ".join(parts)


@dataclass(frozen=True)
class _Rule:
    id: str
    kind: str
    category: str
    label_zh: str
    label_en: str
    regulation: str
    a: str = ""
    b: str = ""
    terms: frozenset = frozenset()
    regex: re.Pattern | None = None
    unless: tuple[str, ...] = ()     # lexicons whose words in the clause clear a pattern (past, hedge)
    judged: bool = True      # False: a judgement word after it does not make it a quotation (亏钱是不可能的)


@dataclass(frozen=True)
class _Rules:
    rules: tuple[_Rule, ...]
    lexicon: dict[str, frozenset]        # lexicon name -> words
    max_len: int                          # longest listed word, in characters
    sms: dict
    tokenizer: jieba.Tokenizer


@lru_cache(maxsize=4)
def _load(path: Path = RULES_PATH) -> _Rules:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    lexicon = {name: frozenset(normalise(w) for w in words) for name, words in data.get("lexicon", {}).items()}
    rules = []
    for block in data.get("rule", []):
        regex = None
        if block.get("patterns"):
            alternatives = [p.replace("{RATE}", _RATE).replace("{NUM}", _NUM) for p in block["patterns"]]
            regex = re.compile("|".join(f"(?:{a})" for a in alternatives))
        rules.append(_Rule(block["id"], block["kind"], block["category"], block["label_zh"], block["label_en"],
                           block.get("regulation", ""), block.get("a", ""), block.get("b", ""),
                           frozenset(normalise(t) for t in block.get("terms", [])), regex, tuple(block.get("unless", ())),
                           block.get("judged", True)))
    words = set().union(*lexicon.values(), *(r.terms for r in rules))
    # A private tokenizer, so adding our words never changes another caller's segmentation.
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    for w in sorted(words):
        if len(w) > 1:
            tokenizer.add_word(w, freq=100_000)
    return _Rules(tuple(rules), lexicon, max(map(len, words), default=1), data.get("sms", {}), tokenizer)


def normalise(text: str) -> str:
    """Full-width to half-width, traditional to simplified, filler between Chinese characters removed, lower case."""
    return _normalise_with_offsets(text)[0]


def _normalise_with_offsets(text: str) -> tuple[str, list[int]]:
    """The normalised text and, for each of its characters, the index of the original character it came from."""
    chars, offsets = [], []
    for i, ch in enumerate(text):
        for c in unicodedata.normalize("NFKC", ch).translate(_TRADITIONAL).lower():
            chars.append(c)
            offsets.append(i)
    joined = "".join(chars)
    keep = [True] * len(joined)
    for m in _FILLER.finditer(joined):
        keep[m.start():m.end()] = [False] * (m.end() - m.start())
    return ("".join(c for c, k in zip(joined, keep, strict=True) if k),
            [o for o, k in zip(offsets, keep, strict=True) if k])


@dataclass
class _Clause:
    sentence: int
    units: list[tuple[str, int, int]]     # (word, start, end) in the normalised text

    @property
    def start(self) -> int:
        return self.units[0][1]

    @property
    def end(self) -> int:
        return self.units[-1][2]


def _units(norm: str, rules: _Rules) -> list[tuple[str, int, int]]:
    """jieba's words, with consecutive words merged where they spell a listed word (jieba may split one)."""
    tokens = [(w, s, e) for w, s, e in rules.tokenizer.tokenize(norm, HMM=False) if not w.isspace()]
    known = set().union(*rules.lexicon.values(), *(r.terms for r in rules.rules))
    out, i = [], 0
    while i < len(tokens):
        for j in range(min(len(tokens), i + 4), i + 1, -1):
            word = "".join(t[0] for t in tokens[i:j])
            if len(word) <= rules.max_len and word in known:
                out.append((word, tokens[i][1], tokens[j - 1][2]))
                i = j
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


def _clauses(units: list[tuple[str, int, int]]) -> list[_Clause]:
    clauses, current, sentence = [], [], 0
    for u in units:
        w = u[0]
        if w in _SENTENCE_END or w in _CLAUSE_END or w in "。！？；，：":
            if current:
                clauses.append(_Clause(sentence, current))
                current = []
            if w in _SENTENCE_END or w in "。！？；":
                sentence += 1
            continue
        if w in _CLAUSE_START and current:
            clauses.append(_Clause(sentence, current))
            current = []
        current.append(u)
    if current:
        clauses.append(_Clause(sentence, current))
    return clauses


def _negated_before(clause: _Clause, index: int, lex: dict) -> bool:
    """A negator earlier in the clause cancels a promise marker (没有人能保证跑赢, 不会也不能对收益作出保证)."""
    return any(w in lex["negator"] or w in lex["warning"] for w, _, _ in clause.units[:index])


def _odd_negation(clause: _Clause, index: int, lex: dict) -> bool:
    """不会亏, 绝不让您亏, 没有任何风险: an odd number of negators right before, with only fillers between."""
    count, k = 0, index - 1
    while k >= 0:
        w = clause.units[k][0]
        if w in lex["negator"]:
            count += 1
        elif w not in lex["filler"]:
            break
        k -= 1
    return count % 2 == 1


def _hits(clause: _Clause, norm: str, rules: _Rules) -> list[tuple[_Rule, int, int]]:
    """(rule, start, end) in the normalised text for every rule that fires in this clause."""
    lex, hits = rules.lexicon, []
    words = [u[0] for u in clause.units]
    # Everything after a negated promise marker is what is not promised (并不能保证不亏钱).
    cut = next((clause.units[i][1] for i, w in enumerate(words)
                if w in lex["promise"] and _negated_before(clause, i, lex)), None)
    for rule in rules.rules:
        if rule.kind == "pair":
            markers = [i for i, w in enumerate(words) if w in lex[rule.a] and not _negated_before(clause, i, lex)]
            outcomes = [i for i, w in enumerate(words) if w in lex[rule.b]]
            if markers and outcomes:
                i, j = markers[0], min(outcomes, key=lambda o: abs(o - markers[0]))
                a, b = sorted((i, j))
                hits.append((rule, clause.units[a][1], clause.units[b][2]))
        elif rule.kind == "term":
            for i, w in enumerate(words):
                if w in rule.terms and not any(x in lex["negator"] for x in words[max(0, i - 5):i]) \
                        and not any(x in lex["hedge"] for x in words[:i]):
                    hits.append((rule, clause.units[i][1], clause.units[i][2]))
        elif rule.kind == "negated":
            for i, w in enumerate(words):
                if w in lex[rule.a] and _odd_negation(clause, i, lex):
                    k = i - 1
                    while k > 0 and (words[k - 1] in lex["negator"] or words[k - 1] in lex["filler"]):
                        k -= 1
                    hits.append((rule, clause.units[k][1], clause.units[i][2]))
        elif rule.kind == "pattern" and rule.regex is not None:
            if any(w in lex[name] for name in rule.unless for w in words):
                continue
            text = norm[clause.start:clause.end]
            for m in rule.regex.finditer(text):
                # A pattern inside a negated stretch is a disclaimer (并不存在收益不低于8%的保证 is rare; 不会承诺…).
                first = next(i for i, u in enumerate(clause.units) if u[2] > clause.start + m.start())
                if first and any(w in lex["negator"] and w not in ("零",) for w in words[max(0, first - 2):first]):
                    continue
                hits.append((rule, clause.start + m.start(), clause.start + m.end()))
    return [h for h in hits if cut is None or h[1] < cut]


def _assurances(clauses: list[_Clause], rules: _Rules) -> list[tuple[int, _Rule, int, int]]:
    """A short clause that is only an assurance (我打包票, 绝对的) vouches for the outcome in its sentence:
    一个月回本不是梦，我打包票."""
    lex, out = rules.lexicon, []
    for rule in (r for r in rules.rules if r.kind == "pair"):
        for ci, clause in enumerate(clauses):
            words = [u[0] for u in clause.units]
            if len(words) > 4 or any(w in lex[rule.b] for w in words):
                continue
            markers = [i for i, w in enumerate(words) if w in lex[rule.a] and not _negated_before(clause, i, lex)]
            # The vouched-for outcome must itself be asserted (not "我们不承诺收益，这一点我保证").
            if markers and any(u[0] in lex[rule.b] and not _negated_before(c, k, lex)
                               for c in clauses if c.sentence == clause.sentence for k, u in enumerate(c.units)):
                u = clause.units[markers[0]]
                out.append((ci, rule, u[1], u[2]))
    return out


def _in_scope(clauses: list[_Clause], ci: int, pos: int, end: int, lex: dict, *, judged: bool = True) -> bool:
    """Is the hit at `pos` in clause `ci` quoted (under a warning or a judgement) rather than claimed?"""
    sentence = clauses[ci].sentence
    # A warning earlier in the sentence reaches the hit unless a clause speaking for us (我们 …) comes between.
    for k in range(ci, -1, -1):
        if clauses[k].sentence != sentence:
            break
        units = clauses[k].units if k < ci else [u for u in clauses[k].units if u[2] <= pos]
        if any(u[0] in lex["warning"] for u in units):
            return True
        if any(u[0] in lex["first_person"] for u in clauses[k].units[:2]):
            break
    # A judgement later in the sentence reaches back to it (承诺稳赚不赔的都是骗局).
    for k in range(ci, len(clauses) if judged else ci):
        if clauses[k].sentence != sentence:
            break
        units = clauses[k].units if k > ci else [u for u in clauses[k].units if u[1] >= end]
        if any(u[0] in lex["judgement"] for u in units):
            return True
    return False


def _answered_no(clauses: list[_Clause], ci: int, norm: str, lex: dict) -> bool:
    """是不是保本的？答：不是 — the question ends with ? and the next sentence starts by denying it."""
    clause = clauses[ci]
    last = max(c.end for c in clauses if c.sentence == clause.sentence)
    if last >= len(norm) or norm[last] != "?":
        return False
    following = [c for c in clauses if c.sentence == clause.sentence + 1]
    if not following:
        return False
    lead = [u[0] for c in following for u in c.units][:3]
    return any(w in lex["answer_no"] or w in lex["judgement"] for w in lead)


def lint_script(text: str, *, channel: str | None = None, rules_path: Path = RULES_PATH) -> LintResult:
    """Check one script. channel="sms" also requires the sender's name and an opt-out line."""
    rules = _load(rules_path)
    norm, offsets = _normalise_with_offsets(text)
    clauses = _clauses(_units(norm, rules))
    findings, seen = [], set()
    hits = [(ci, *h) for ci, clause in enumerate(clauses) for h in _hits(clause, norm, rules)]
    for ci, rule, s, e in hits + _assurances(clauses, rules):
            if _in_scope(clauses, ci, s, e, rules.lexicon, judged=rule.judged) or _answered_no(clauses, ci, norm, rules.lexicon):
                continue
            start, end = offsets[s], offsets[e - 1] + 1
            if (rule.id, start, end) in seen:
                continue
            seen.add((rule.id, start, end))
            findings.append(Finding(rule.category, rule.label_zh, rule.label_en, text[start:end], rule.id,
                                    rule.regulation, start, end))
    findings.sort(key=lambda f: (f.start, f.rule_id))
    missing = []
    if channel == "sms":
        sms = rules.sms
        raw = unicodedata.normalize("NFKC", text).strip()
        if sms.get("sender_pattern") and not re.search(sms["sender_pattern"], raw):
            missing.append("短信缺少发送方签名【…】 / SMS lacks the sender's name 【…】")
        if sms.get("opt_out_pattern") and not re.search(sms["opt_out_pattern"], raw, re.I):
            missing.append("短信缺少退订方式（如 回复TD退订） / SMS lacks an opt-out line (e.g. 回复TD退订)")
    score = promise_probability(norm)
    return LintResult(text=text, blocked=bool(findings), findings=findings, missing=missing,
                      review_score=score, review=not findings and score >= REVIEW_THRESHOLD)


def lint_lines(lines: list[str], *, channel: str | None = None) -> list[LintResult]:
    return [lint_script(line, channel=channel) for line in lines if line.strip()]
