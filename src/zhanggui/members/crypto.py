"""Phone numbers at rest (docs/adr/0004-member-phone-encryption.md): encrypted with Fernet (AES-128-CBC with an
HMAC-SHA256 tag, the `cryptography` package) under ZHANGGUI_MEMBER_KEY, and matched by a keyed hash
(HMAC-SHA256 of the normalised number under a key derived from the same secret), so a lookup never decrypts
and a copy of the database alone reveals neither the numbers nor which rows share one without the key.

Without ZHANGGUI_MEMBER_KEY the key is derived from SECRET_KEY: fine for the local desk, and a warning in the
docs; changing either key later makes the stored numbers unreadable (they are re-read from the next import).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from functools import cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

from zhanggui.orders.models import mask_phone

# A Chinese mobile number: 11 digits starting with 1; an export's country code +86/0086/86 is dropped.
_COUNTRY = re.compile(r"^(?:\+?86|0086)(?=1\d{10}$)")


@cache
def _keys(secret: str) -> tuple[Fernet, bytes]:
    if secret:
        raw = base64.urlsafe_b64decode(secret.encode())
        if len(raw) != 32:
            raise ValueError("ZHANGGUI_MEMBER_KEY: 32 bytes in url-safe base64 (Fernet.generate_key())")
        key = secret.encode()
    else:
        raw = hashlib.sha256(b"zhanggui-members:" + settings.SECRET_KEY.encode()).digest()
        key = base64.urlsafe_b64encode(raw)
    return Fernet(key), hashlib.sha256(b"zhanggui-phone-hash:" + raw).digest()


def keys() -> tuple[Fernet, bytes]:
    return _keys(getattr(settings, "ZHANGGUI_MEMBER_KEY", "") or "")


def normalise_phone(phone: str) -> str:
    """Digits only, the country code dropped; "" for a number a platform masked (138****5678) or too short to be
    a person's (fewer than 7 digits): such a number can match nobody."""
    text = (phone or "").strip()
    if "*" in text:
        return ""
    digits = re.sub(r"[^\d+]", "", text)
    digits = _COUNTRY.sub("", digits).lstrip("+")
    return digits if len(digits) >= 7 else ""


def phone_hash(phone: str) -> str:
    """The keyed hash of the normalised number (hex), or "" for a number that cannot match."""
    number = normalise_phone(phone)
    if not number:
        return ""
    return hmac.new(keys()[1], number.encode(), hashlib.sha256).hexdigest()


def encrypt_phone(phone: str) -> str:
    number = normalise_phone(phone)
    return keys()[0].encrypt(number.encode()).decode() if number else ""


def decrypt_phone(cipher: str) -> str:
    """The number, or "" when there is none or it was written under another key."""
    if not cipher:
        return ""
    try:
        return keys()[0].decrypt(cipher.encode()).decode()
    except InvalidToken:
        return ""


def masked_phone(cipher: str) -> str:
    """What pages show: 138****5678 (orders.models.mask_phone, the rule the order pages use)."""
    return mask_phone(decrypt_phone(cipher))
