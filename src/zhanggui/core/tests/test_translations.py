"""The Chinese UI is complete: every message in the catalog has a translation that keeps its placeholders."""

import re
from pathlib import Path

import polib

import zhanggui

PO = Path(zhanggui.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\{\s*\w+\s*\}\}|\{\w*\}")


def test_every_message_is_translated():
    po = polib.pofile(str(PO))
    assert len(po) > 300
    missing = [e.msgid for e in po if not e.translated() and not e.obsolete]
    assert missing == []


def test_translations_keep_their_placeholders():
    po = polib.pofile(str(PO))
    broken = [
        e.msgid
        for e in po.translated_entries()
        if not e.msgid_plural and sorted(PLACEHOLDER.findall(e.msgid)) != sorted(PLACEHOLDER.findall(e.msgstr))
    ]
    assert broken == []
