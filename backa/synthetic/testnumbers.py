"""Identity numbers that cannot belong to a real person.

Skatteverket reserves the birth numbers (födelsenummer) 980–999 for test personal
identity numbers: they are never assigned to anyone in the population register
("Allt du behöver veta om testpersonnummer", skatteverket.se, digitala samarbeten /
utveckling av API:er och öppna data). We generate numbers only inside that series, for
personnummer and for samordningsnummer (day + 60), and mark every record synthetic.

The series gives 20 numbers per date (ten odd, ten even birth numbers); with
samordningsnummer 40. Past that, a child is generated without a number (id type
"none"), as newly arrived and unborn children are in reality.
"""

from datetime import date

from backa.lib.identity import IdentityNumber, luhn_check_digit, parse

TEST_SERIES = range(980, 1000)


def is_test_number(number: IdentityNumber) -> bool:
    return int(number.digits[8:11]) in TEST_SERIES


def make_number(birth: date, serial: int, *, coordination: bool = False) -> IdentityNumber:
    if serial not in TEST_SERIES:
        raise ValueError("Only Skatteverket's test series 980–999 may be generated")
    day = birth.day + 60 if coordination else birth.day
    nine = f"{birth.year % 100:02d}{birth.month:02d}{day:02d}{serial:03d}"
    return parse(f"{birth.year:04d}{birth.month:02d}{day:02d}{serial:03d}{luhn_check_digit(nine)}", today=date.max)


class SyntheticNumberAllocator:
    """Hands out unused test numbers per birth date, never the same twice in one run."""

    def __init__(self):
        self._used: dict[date, int] = {}

    def allocate(self, birth: date) -> IdentityNumber | None:
        index = self._used.get(birth, 0)
        if index >= 2 * len(TEST_SERIES):
            return None
        self._used[birth] = index + 1
        coordination = index >= len(TEST_SERIES)
        serial = TEST_SERIES[index % len(TEST_SERIES)]
        return make_number(birth, serial, coordination=coordination)
