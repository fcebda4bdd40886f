"""core.text: which characters a code refuses and what free text loses (docs/text.md)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from zhanggui.core import text
from zhanggui.core.models import ApiToken, AuditEntry

REFUSED_IN_CODES = [
    "\x00",  # NUL: PostgreSQL refuses it in text
    "\t",
    "\n",
    "\r",
    "\x1b",
    "\x7f",
    "\x85",  # C1 (NEXT LINE)
    "\x9f",
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",  # bidi embeddings and overrides
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",  # bidi isolates
    "\u200e",
    "\u200f",
    "\u061c",  # bidi marks
    "\u200b",
    "\u200c",
    "\u200d",
    "\u2060",
    "\ufeff",  # zero-width
    "\u00ad",  # soft hyphen
    "\u2028",
    "\u2029",  # line and paragraph separators
    "\ud800",  # a lone surrogate: no database can encode it
    "\ufffd",  # the mark of text decoded with the wrong encoding
]


@pytest.mark.parametrize("char", REFUSED_IN_CODES, ids=lambda c: f"U+{ord(c):04X}")
def test_a_code_refuses_every_control_and_invisible_character(char):
    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            text.check_code(f"AB{char}C", field="SKU code")
        [message] = refused.value.messages  # lazy: read while English is active

    assert refused.value.code == "bad_characters"
    assert message.startswith(f"SKU code must not contain invisible or control characters: U+{ord(char):04X}")
    assert message.endswith("at position 3. Type the code again without it.")


@pytest.mark.parametrize("code", ["SKU-001", "P001 白色", "６９０１", "颜色/红", "A.B_C+D", "🧥", ""])
def test_a_code_of_visible_characters_passes(code):
    assert text.check_code(code, field="code") == code
    assert text.bad_code_character(code) is None


def test_the_error_names_the_character_a_person_can_look_up():
    assert text.describe("\u202e") == "U+202E RIGHT-TO-LEFT OVERRIDE"
    assert text.describe("\x00") == "U+0000"


def test_multi_line_text_keeps_newline_and_tab_and_loses_the_rest():
    assert text.clean_text("一\r\n二\r三\u2028四\t五\x00\x1b\u202e\u2066\u200b\ufeff\ud800六") == "一\n二\n三\n四\t五六"


def test_single_line_text_turns_breaks_and_tabs_into_spaces():
    assert text.clean_line("颜色:红\n尺码:M\t大\r\n码\x00\u202e") == "颜色:红 尺码:M 大 码"


def test_emoji_sequences_keep_their_joiners():
    family = "👨\u200d👩\u200d👧"
    flag = "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
    assert text.clean_line(family + flag) == family + flag


@given(st.text())
def test_cleaned_text_is_storable_and_cleaning_it_again_changes_nothing(value):
    for clean in (text.clean_line, text.clean_text):
        cleaned = clean(value)
        assert "\x00" not in cleaned
        cleaned.encode("utf-8")  # no lone surrogate
        assert clean(cleaned) == cleaned
        assert not any(c in cleaned for c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff")


@given(st.text())
def test_a_code_that_passes_is_storable(value):
    if text.bad_code_character(value) is None:
        value.encode("utf-8")
        assert "\x00" not in value


def test_storable_makes_a_lookup_value_encodable_without_matching_a_real_code():
    assert text.storable("A\x00B\ud800") == "A\ufffdB\ufffd"
    assert text.storable("AB") == "AB"


def test_clean_json_drops_nul_and_lone_surrogates_in_keys_and_values():
    assert text.clean_json({"a\x00": ["x\x00y", {"k": "\ud800z"}, 1, None]}) == {"a": ["xy", {"k": "z"}, 1, None]}


@pytest.mark.django_db
def test_the_audit_trail_stores_notes_and_values_without_nul(manager):
    entry = AuditEntry.objects.create(
        action="test",
        object_type="x",
        object_id="1",
        object_repr="商品\x00A\u202e",
        before={"title": "旧\x00"},
        after={"title\x00": "新\ud800"},
        note="为什么\x00\n",
    )

    entry.refresh_from_db()
    assert (entry.object_repr, entry.before, entry.after, entry.note) == (
        "商品A",
        {"title": "旧"},
        {"title": "新"},
        "为什么 ",
    )


@pytest.mark.django_db
def test_an_api_token_name_from_the_command_line_is_cleaned(manager):
    from zhanggui.core.services import create_api_token

    token, _key = create_api_token(user=manager, name="ci\x00\u202e bot")

    assert ApiToken.objects.get(pk=token.pk).name == "ci bot"
    assert token.name == "ci bot"
