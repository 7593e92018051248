from datetime import date

import pytest
from cryptography.exceptions import InvalidTag
from hypothesis import given, settings
from hypothesis import strategies as st
from personnummer import personnummer

from backa.lib import identity
from backa.lib.identity import InvalidIdentityNumber, parse

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    "raw, digits, kind",
    [
        ("811218-9876", "198112189876", identity.PERSONNUMMER),  # Skatteverket's own example
        ("198112189876", "198112189876", identity.PERSONNUMMER),
        ("19811218-9876", "198112189876", identity.PERSONNUMMER),
        ("8112189876", "198112189876", identity.PERSONNUMMER),
        (" 811218 - 9876 ".replace(" - ", "-"), "198112189876", identity.PERSONNUMMER),
        ("811218+9876", "188112189876", identity.PERSONNUMMER),  # '+' = 100 years or older
        ("701063-2391", "197010632391", identity.SAMORDNINGSNUMMER),  # day 63 = 3rd + 60
        ("200101019800", "200101019800", identity.PERSONNUMMER),
    ],
)
def test_it_accepts_and_normalises_valid_numbers(raw, digits, kind):
    number = parse(raw, today=TODAY)
    assert number.digits == digits
    assert number.kind == kind


@pytest.mark.parametrize(
    "raw, code",
    [
        ("811218-9877", "checksum"),
        ("811318-9876", "date"),  # month 13
        ("810230-9876", "date"),  # 30 February
        ("701093-2391", "date"),  # samordningsnummer day 93-60=33
        ("811218-0006", "serial"),
        ("81121-89876", "format"),
        ("abc", "format"),
        ("", "format"),
        ("19811218+9876", "plus_with_century"),
        ("20991218-9876", "future"),
    ],
)
def test_it_rejects_invalid_numbers_with_a_reason(raw, code):
    with pytest.raises(InvalidIdentityNumber) as error:
        parse(raw, today=TODAY)
    assert error.value.code == code
    assert str(error.value.message)


def test_a_ten_digit_number_takes_the_latest_century_not_in_the_future():
    assert parse("250101-9802", today=TODAY).birth_date == date(2025, 1, 1)
    assert parse("270101-9800", today=TODAY).birth_date == date(1927, 1, 1)


@settings(max_examples=300, deadline=None)
@given(st.from_regex(r"\A\d{6}-\d{4}\Z"))
def test_it_agrees_with_the_personnummer_package_on_validity(raw):
    try:
        parse(raw)
        ours = True
    except InvalidIdentityNumber:
        ours = False
    assert ours == personnummer.valid(raw)


def test_the_repr_never_shows_the_digits():
    number = parse("811218-9876", today=TODAY)
    assert "9876" not in repr(number) and "811218" not in str(number)
    assert number.masked == "19811218-****"


def test_encryption_round_trips_and_hides_the_number(settings):
    number = parse("811218-9876", today=TODAY)
    blob = identity.encrypt(number)
    assert b"9876" not in blob and b"811218" not in blob
    assert identity.decrypt(blob).digits == number.digits
    assert identity.encrypt(number) != blob  # fresh nonce each time
    assert identity.lookup_hash(number) == identity.lookup_hash(parse("19811218-9876", today=TODAY))


def test_a_tampered_ciphertext_is_refused():
    blob = bytearray(identity.encrypt(parse("811218-9876", today=TODAY)))
    blob[-1] ^= 1
    with pytest.raises(InvalidTag):
        identity.decrypt(bytes(blob))
