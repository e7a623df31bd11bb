"""Identity data: check digits, phones, names that need GB18030."""

from __future__ import annotations

import re

import numpy as np

from panhuo.simulate import people


def test_id_check_digit_matches_published_examples():
    # GB 11643-1999 worked example and a well-known sample number
    assert people.id_check_digit("11010519491231002") == "X"
    assert people.id_check_digit("44052418800101001") == "4"


def test_uscc_check_character_matches_a_published_code():
    # 91350100M000100Y43 is the GB 32100 example code used in many validators
    assert people.uscc_check_char("91350100M000100Y4") == "3"


def test_every_individual_id_number_passes_gb_11643_and_matches_birth_and_gender(sdb):
    rows = sdb.execute("""SELECT id_number, birth_date, gender, client_type FROM clients""").fetchall()
    for id_number, birth, gender, kind in rows:
        if kind == "institution":
            assert len(id_number) == 18 and people.uscc_check_char(id_number[:17]) == id_number[17]
            continue
        assert re.fullmatch(r"\d{17}[\dX]", id_number)
        assert people.id_check_digit(id_number[:17]) == id_number[17]
        assert id_number[6:14] == birth.strftime("%Y%m%d")
        assert (int(id_number[16]) % 2 == 1) == (gender == "男")


def test_phones_and_names(sdb):
    assert sdb.execute(r"""SELECT count(*) FROM clients WHERE NOT regexp_matches(phone, '^1\d{10}$')""").fetchone()[0] == 0
    names = [n for (n,) in sdb.execute("SELECT name FROM clients WHERE client_type = 'individual'").fetchall()]
    assert all(2 <= len(n) <= 4 for n in names)
    assert len(set(names)) > 0.5 * len(names)
    rng = np.random.default_rng(1)
    many = people.person_names(rng, 20_000, np.zeros(20_000, dtype=bool))
    outside_gbk = [n for n in many if not _gbk_ok(n)]
    assert outside_gbk and all(n.encode("gb18030").decode("gb18030") == n for n in outside_gbk)


def _gbk_ok(text: str) -> bool:
    try:
        text.encode("gbk")
    except UnicodeEncodeError:
        return False
    return True
