from hypothesis import given
from hypothesis import strategies as st

from panhuo.clients.masking import mask_id_number, mask_phone


def test_the_documented_shapes():
    assert mask_id_number("110101199001011234") == "110***********1234"
    assert mask_phone("13856785678") == "138****5678"


def test_empty_and_short_values_reveal_nothing_more_than_the_last_character():
    assert mask_phone("") == "" and mask_phone(None) == ""
    assert mask_phone("1234567") == "******7"
    assert mask_id_number("X") == "*"


@given(st.text(alphabet="0123456789X", min_size=8, max_size=20))
def test_masking_keeps_length_and_ends_and_hides_the_middle(value):
    m = mask_id_number(value)
    assert len(m) == len(value)
    assert m[:3] == value[:3] and m[-4:] == value[-4:]
    assert set(m[3:-4]) <= {"*"}
