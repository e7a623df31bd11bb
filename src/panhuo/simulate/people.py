"""Identity data that looks like a branch's client master: Chinese names, ID numbers, phones, advisors.

Resident ID numbers carry the GB 11643 (ISO 7064 MOD 11-2) check digit; institutions get a unified social
credit code with the GB 32100 check character. A few given names use CJK extension characters (𠮷 and
friends) because real masters contain them and GBK cannot encode them, which is why exports are GB18030.
"""

from __future__ import annotations

import numpy as np

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
SURNAME_WEIGHTS = np.r_[np.linspace(7.0, 1.2, 20), np.linspace(1.1, 0.3, len(SURNAMES) - 20)]
COMPOUND_SURNAMES = ["欧阳", "司马", "诸葛", "上官", "东方"]
GIVEN = list("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志红文玉梅海波鹏辉宇浩然子轩欣怡雨涵思琪"
             "嘉怡晨阳博文俊杰佳慧婷琳颖晓东立新春燕凤云飞彬斌宏伟德清振宁秀兰淑珍丹丽雪梅小龙天佑")
EXTENSION_CHARS = ["𠮷", "𡈽", "𪚥", "𫞩", "𬌗"]   # outside GBK; in GB18030
REGION_CODES = {"海淀区": "110108", "朝阳区": "110105", "西城区": "110102", "东城区": "110101", "丰台区": "110106",
                "昌平区": "110114", "石景山区": "110107", "通州区": "110112", "大兴区": "110115", "顺义区": "110113"}
REGIONS = list(REGION_CODES) + ["外地"]
REGION_WEIGHTS = np.array([22, 18, 9, 7, 10, 9, 4, 6, 6, 4, 5], dtype=float)
OTHER_PROVINCE_CODES = ["310104", "440305", "330106", "320102", "130102", "370102", "420106", "510107"]
PHONE_PREFIXES = ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155",
                  "158", "159", "166", "177", "180", "181", "182", "185", "186", "187", "188", "189", "199"]
BANKS = ["工商银行", "建设银行", "农业银行", "中国银行", "招商银行", "交通银行", "浦发银行", "兴业银行", "中信银行"]
COMPANY_WORDS = ["恒信", "华泰", "鼎盛", "瑞丰", "中科", "长城", "汇金", "嘉禾", "泓达", "京华", "博远", "润泽"]
COMPANY_KINDS = ["投资管理有限公司", "资产管理有限公司", "科技股份有限公司", "实业有限公司", "私募基金管理有限公司"]
SPECIALTIES = ["价值投资", "成长股", "量化交易", "基金配置", "两融业务", "新股申购", "期权", "债券理财", "行业研究"]
ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
ID_CHECK = "10X98765432"
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def id_check_digit(first17: str) -> str:
    """GB 11643-1999 check character of an 18-digit resident ID number."""
    return ID_CHECK[sum(int(ch) * w for ch, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def uscc_check_char(first17: str) -> str:
    """GB 32100-2015 check character of a unified social credit code."""
    total = sum(USCC_CHARS.index(ch) * w for ch, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARS[(31 - total % 31) % 31]


def person_names(rng: np.random.Generator, n: int, female: np.ndarray) -> list[str]:
    p = SURNAME_WEIGHTS / SURNAME_WEIGHTS.sum()
    surnames = np.array(SURNAMES)[rng.choice(len(SURNAMES), n, p=p)].astype(object)
    compound = rng.random(n) < 0.003
    surnames[compound] = np.array(COMPOUND_SURNAMES)[rng.integers(0, len(COMPOUND_SURNAMES), compound.sum())]
    g = np.array(GIVEN)
    first = g[rng.integers(0, len(g), n)]
    second = g[rng.integers(0, len(g), n)]
    two = rng.random(n) < 0.7
    ext = rng.random(n) < 0.002
    ext_chars = np.array(EXTENSION_CHARS)[rng.integers(0, len(EXTENSION_CHARS), n)]
    out = []
    for i in range(n):
        given = first[i] + (second[i] if two[i] else "")
        if ext[i]:
            given = ext_chars[i] + given[1:] if len(given) > 1 else given + ext_chars[i]
        out.append(surnames[i] + given)
    return out


def id_numbers(rng: np.random.Generator, regions: np.ndarray, birth: np.ndarray, female: np.ndarray) -> list[str]:
    """18-digit resident ID numbers: region, birth date, sequence (odd = male), check digit."""
    seq = rng.integers(0, 500, len(regions)) * 2 + np.where(female, 0, 1)
    other = np.array(OTHER_PROVINCE_CODES)[rng.integers(0, len(OTHER_PROVINCE_CODES), len(regions))]
    births = np.datetime_as_string(birth, unit="D")
    out = []
    for r, o, b, s in zip(regions, other, births, seq, strict=True):
        first17 = f"{REGION_CODES.get(r, o)}{b.replace('-', '')}{s:03d}"
        out.append(first17 + id_check_digit(first17))
    return out


def uscc_codes(rng: np.random.Generator, n: int) -> list[str]:
    out = []
    for _ in range(n):
        body = "".join(USCC_CHARS[k] for k in rng.integers(0, 31, 8))
        first17 = "91110108" + body + USCC_CHARS[int(rng.integers(0, 10))]
        out.append(first17 + uscc_check_char(first17))
    return out


def company_names(rng: np.random.Generator, n: int) -> list[str]:
    w = rng.integers(0, len(COMPANY_WORDS), (n, 2))
    k = rng.integers(0, len(COMPANY_KINDS), n)
    return [f"北京{COMPANY_WORDS[a]}{COMPANY_WORDS[b]}{COMPANY_KINDS[c]}" for (a, b), c in zip(w, k, strict=True)]


def phones(rng: np.random.Generator, n: int) -> list[str]:
    pre = np.array(PHONE_PREFIXES)[rng.integers(0, len(PHONE_PREFIXES), n)]
    rest = rng.integers(0, 100_000_000, n)
    return [f"{p}{r:08d}" for p, r in zip(pre, rest, strict=True)]


def advisors_table(rng: np.random.Generator, n_clients: int, start: np.datetime64) -> dict[str, list]:
    """Advisors of the branch: roughly one per 800 clients, at least 5, a few of them departed."""
    n = max(5, int(round(n_clients / 800)))
    female = rng.random(n) < 0.5
    level = rng.choice(["junior", "senior", "principal"], n, p=[0.5, 0.38, 0.12])
    hire = start - rng.integers(60, 4000, n).astype("timedelta64[D]")
    active = rng.random(n) > 0.06
    active[:3] = True
    cap = np.where(level == "principal", 1500, np.where(level == "senior", 1000, 600))
    spec = [",".join(rng.choice(SPECIALTIES, int(rng.integers(1, 4)), replace=False)) for _ in range(n)]
    return {
        "advisor_id": [f"A{i + 1:04d}" for i in range(n)],
        "name": person_names(rng, n, female),
        "level": level.tolist(),
        "region": np.array(REGIONS[:10])[rng.integers(0, 10, n)].tolist(),
        "capacity": cap.tolist(),
        "specialties": spec,
        "hire_date": hire.astype("datetime64[D]").tolist(),
        "active": active.tolist(),
    }
