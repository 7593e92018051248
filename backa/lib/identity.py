"""Swedish personal identity numbers: validation, normalisation, encryption and lookup hash.

Normal form is 12 digits without separator (YYYYMMDDNNNC), as SS 12000, OIDC claims and
FHIR use. A samordningsnummer has 60 added to the day. A 10-digit number gets its century
from the reference date; the separator '+' means the person is 100 or older.

Never log, print or put these numbers in a URL: callers get `IdentityNumber` objects whose
repr hides the digits.
"""

import hashlib
import hmac
import os
import re
from dataclasses import dataclass, field
from datetime import date

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PERSONNUMMER = "personnummer"
SAMORDNINGSNUMMER = "samordningsnummer"

_PATTERN = re.compile(r"^(\d{2})?(\d{2})(\d{2})(\d{2})([-+]?)(\d{3})(\d)$")

ERRORS = {
    "format": _("Write the number as YYYYMMDD-NNNN or YYMMDD-NNNN."),
    "plus_with_century": _("The '+' separator is only used in the 10-digit form."),
    "date": _("The date in the number does not exist."),
    "future": _("The date in the number lies in the future."),
    "serial": _("The birth number 000 is never issued."),
    "checksum": _("The check digit does not match; check for a mistyped digit."),
}


class InvalidIdentityNumber(ValueError):
    def __init__(self, code: str):
        self.code = code
        super().__init__(code)

    @property
    def message(self):
        return ERRORS[self.code]


@dataclass(frozen=True)
class IdentityNumber:
    digits: str = field(repr=False)  # 12 digits
    kind: str
    birth_date: date

    def __repr__(self):
        return f"IdentityNumber(kind={self.kind!r}, ****)"

    __str__ = __repr__

    @property
    def formatted(self) -> str:
        return f"{self.digits[:8]}-{self.digits[8:]}"

    @property
    def masked(self) -> str:
        return f"{self.digits[:8]}-****"


def luhn_check_digit(nine_digits: str) -> int:
    total = 0
    for index, char in enumerate(nine_digits):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return (10 - total % 10) % 10


def parse(raw: str, *, today: date | None = None) -> IdentityNumber:
    """Validate and normalise; raise InvalidIdentityNumber with a code explaining why not."""
    today = today or timezone.localdate()
    text = (raw or "").strip().replace(" ", "")
    match = _PATTERN.match(text)
    if not match:
        raise InvalidIdentityNumber("format")
    century, yy, mm, dd, separator, serial, check = match.groups()
    if century is not None and separator == "+":
        raise InvalidIdentityNumber("plus_with_century")
    day = int(dd)
    kind = SAMORDNINGSNUMMER if day > 60 else PERSONNUMMER
    real_day = day - 60 if kind == SAMORDNINGSNUMMER else day
    if century is not None:
        year = int(century + yy)
    else:
        # The latest year ending in yy that is not after today, minus 100 with '+'.
        year = today.year - ((today.year - int(yy)) % 100)
        if separator == "+":
            year -= 100
    try:
        birth = date(year, int(mm), real_day)
    except ValueError:
        raise InvalidIdentityNumber("date") from None
    if century is None and separator != "+" and birth > today:
        birth = date(year - 100, birth.month, birth.day)
    if birth > today:
        raise InvalidIdentityNumber("future")
    if serial == "000":
        raise InvalidIdentityNumber("serial")
    if luhn_check_digit(yy + mm + dd + serial) != int(check):
        raise InvalidIdentityNumber("checksum")
    return IdentityNumber(digits=f"{birth.year:04d}{mm}{dd}{serial}{check}", kind=kind, birth_date=birth)


def looks_like_identity_number(text: str) -> bool:
    """True for input that is meant as a number (digits and a separator), valid or not."""
    stripped = (text or "").strip().replace(" ", "")
    return bool(stripped) and bool(re.fullmatch(r"[\d\-+]+", stripped)) and sum(c.isdigit() for c in stripped) >= 6


class UnknownEncryptionKey(LookupError):
    """A ciphertext names a key id that is neither the current key nor in PNR_ENCRYPTION_OLD_KEYS."""


def current_key_id() -> str:
    return settings.PNR_ENCRYPTION_KEY_ID


def _encryption_key(key_id: str | None = None) -> bytes:
    """The key with this id: the current one for None, "" (rows written before key ids) or its id."""
    if key_id in (None, "", settings.PNR_ENCRYPTION_KEY_ID):
        return bytes.fromhex(settings.PNR_ENCRYPTION_KEY)
    try:
        return bytes.fromhex(settings.PNR_ENCRYPTION_OLD_KEYS[key_id])
    except KeyError:
        raise UnknownEncryptionKey(
            f"personnummer key id {key_id!r} is not PNR_ENCRYPTION_KEY_ID nor in PNR_ENCRYPTION_OLD_KEYS"
        ) from None


def lookup_hash(number: IdentityNumber) -> str:
    """Keyed hash (HMAC-SHA256) for exact-match lookup without decrypting every row."""
    return hmac.new(bytes.fromhex(settings.PNR_HASH_KEY), number.digits.encode(), hashlib.sha256).hexdigest()


def normalise_address(text: str) -> str:
    """Street address in a comparable form: case, accents of width, punctuation and spacing removed.

    "Storgatan 1 B, 123 45 Stockholm" and "STORGATAN 1B 12345 stockholm" give the same text.
    Only the letters and digits in order count; a different spelling is a different address.
    """
    import unicodedata

    folded = unicodedata.normalize("NFKC", text or "").casefold()
    return "".join(char for char in folded if char.isalnum())


def address_hash(text: str) -> str:
    """Keyed hash (HMAC-SHA256) of a normalised address, for the log-review rule "same address".

    Keyed with PNR_HASH_KEY under its own context prefix, so it never equals a number's hash.
    Empty for an empty address (which matches nothing).
    """
    normal = normalise_address(text)
    if not normal:
        return ""
    return hmac.new(bytes.fromhex(settings.PNR_HASH_KEY), b"address:" + normal.encode(), hashlib.sha256).hexdigest()


def encrypt(number: IdentityNumber) -> bytes:
    """nonce (12 bytes) + AES-GCM ciphertext under the current key; store current_key_id() beside it."""
    nonce = os.urandom(12)
    return nonce + AESGCM(_encryption_key()).encrypt(nonce, number.digits.encode(), b"pnr")


def decrypt(blob: bytes, *, key_id: str | None = None, today: date | None = None) -> IdentityNumber:
    """The number in a ciphertext written under the key `key_id` (the stored id; None: current)."""
    blob = bytes(blob)
    digits = AESGCM(_encryption_key(key_id)).decrypt(blob[:12], blob[12:], b"pnr").decode()
    return parse(digits, today=today or date.max)
