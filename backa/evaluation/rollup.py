"""The nightly rollup: one INSERT … SELECT per indicator into evaluation_indicatorvalue.

Each statement groups the indicator's event query by GROUPING SETS
((month, district, sex, age band), (month, district)), so the table holds both the cells
(for the by-sex and by-age views) and the district totals (medians cannot be added up
from cells, so they are computed at both levels). It replaces the computed rows of the
months it covers, in one transaction: running it twice gives the same table, and a
failure leaves the previous figures in place. Imported baselines are never touched.
"""

import time
from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from backa.evaluation.indicators import CATALOGUE, POPULATION, Indicator
from backa.evaluation.models import ALL, ValueSource

TABLE = "evaluation_indicatorvalue"
# A nightly job may sort in memory (the default 4 MB spills the population sort to disk), and
# JIT compilation costs more than it saves on these short statements.
SESSION_SETTINGS = "SET LOCAL work_mem = '256MB'; SET LOCAL jit = off"

# Age at the end of the month, by comparing the birth date with the month end minus N years
# (the same as age() < N years, without per-row interval arithmetic on timestamps with time zone).
AGE_BAND_SQL = """CASE
    WHEN c.birth_date IS NULL THEN 'unknown'
    WHEN c.birth_date > ((e.month + interval '1 month - 1 day') - interval '6 years')::date THEN '0-5'
    WHEN c.birth_date > ((e.month + interval '1 month - 1 day') - interval '13 years')::date THEN '6-12'
    WHEN c.birth_date > ((e.month + interval '1 month - 1 day') - interval '18 years')::date THEN '13-17'
    ELSE '18+' END"""

GROUPS = "GROUPING SETS ((e.month, c.home_district_id, c.sex, band.age_band), (e.month, c.home_district_id))"
CELL_KEYS = f"""e.month, c.home_district_id,
    CASE WHEN GROUPING(c.sex) = 1 THEN '{ALL}' ELSE c.sex END,
    CASE WHEN GROUPING(band.age_band) = 1 THEN '{ALL}' ELSE band.age_band END"""
FROM_EVENTS = f"""FROM ({{events}}) e
    JOIN children_child c ON c.id = e.child_id
    CROSS JOIN LATERAL (SELECT {AGE_BAND_SQL} AS age_band) band
    WHERE c.home_district_id IS NOT NULL"""
COLUMNS = (
    "(indicator, month, district_id, sex, age_band, numerator, denominator, value, n_children, source, computed_at)"
)


COHORT_BAND_SQL = """CASE
    WHEN k.birth_month > k.month - interval '6 years' THEN '0-5'
    WHEN k.birth_month > k.month - interval '13 years' THEN '6-12'
    ELSE '13-17' END"""
COHORT_GROUPS = "GROUPING SETS ((k.month, k.home_district_id, k.sex, band.age_band), (k.month, k.home_district_id))"
COHORT_KEYS = f"""k.month, k.home_district_id,
    CASE WHEN GROUPING(k.sex) = 1 THEN '{ALL}' ELSE k.sex END AS sex,
    CASE WHEN GROUPING(band.age_band) = 1 THEN '{ALL}' ELSE band.age_band END AS age_band"""


def cohort_statement(indicator: Indicator) -> str:
    """For cohort queries (children counted by district, sex and birth month per month): the
    age band at the end of the month follows from the birth month alone."""
    source = ValueSource.COMPUTED.value
    grouped = f"""SELECT {COHORT_KEYS}, sum(k.num) AS num
        FROM ({indicator.sql}) k CROSS JOIN LATERAL (SELECT {COHORT_BAND_SQL} AS age_band) band
        GROUP BY {COHORT_GROUPS}"""
    if indicator.kind == "count":
        return f"""INSERT INTO {TABLE} {COLUMNS}
            SELECT %(key)s, g.month, g.home_district_id, g.sex, g.age_band, g.num, NULL, g.num, g.num, '{source}', %(now)s
            FROM ({grouped}) g"""
    return f"""INSERT INTO {TABLE} {COLUMNS}
        SELECT %(key)s, p.month, p.district_id, p.sex, p.age_band, COALESCE(ev.num, 0), p.numerator,
               {indicator.multiplier} * COALESCE(ev.num, 0)::float / NULLIF(p.numerator, 0), COALESCE(ev.num, 0),
               '{source}', %(now)s
        FROM {TABLE} p
        LEFT JOIN ({grouped}) ev ON ev.month = p.month AND ev.home_district_id = p.district_id
                                AND ev.sex = p.sex AND ev.age_band = p.age_band
        WHERE p.indicator = '{POPULATION}' AND p.source = '{source}'
          AND p.month >= %(start)s::date AND p.month < %(stop)s::date"""


def statement(indicator: Indicator) -> str:
    """The one INSERT … SELECT that computes an indicator for every cell of the period."""
    if indicator.cohort:
        return cohort_statement(indicator)
    events = indicator.sql
    if indicator.kind != "median" and not indicator.one_row_per_child_month:
        # One row per child and month first: the outer count(*) is then the number of children.
        events = f"SELECT child_id, month, sum(num) AS num, sum(den) AS den, NULL::float AS val FROM ({events}) x GROUP BY child_id, month"
    children = "count(DISTINCT e.child_id)" if indicator.kind == "median" else "count(*)"
    source = ValueSource.COMPUTED.value
    if indicator.kind in ("share", "mean", "median", "count"):
        value = {
            "share": "100.0 * sum(e.num) / NULLIF(sum(e.den), 0)",
            "mean": "sum(e.num)::float / NULLIF(sum(e.den), 0)",
            "median": "percentile_cont(0.5) WITHIN GROUP (ORDER BY e.val)",
            "count": "count(*)",
        }[indicator.kind]
        numerator = value if indicator.kind in ("median", "count") else "sum(e.num)"
        denominator = (
            "NULL" if indicator.kind == "count" else ("count(*)" if indicator.kind == "median" else "sum(e.den)")
        )
        return f"""INSERT INTO {TABLE} {COLUMNS}
            SELECT %(key)s, {CELL_KEYS}, {numerator}, {denominator}, {value}, {children},
                   '{source}', %(now)s
            {FROM_EVENTS.format(events=events)}
            GROUP BY {GROUPS}"""
    if indicator.kind == "rate":
        # Events of children living in the district, set against the population cell.
        return f"""WITH ev AS (
                SELECT {CELL_KEYS.replace("END,", "END AS sex,", 1)} AS age_band,
                       sum(e.num) AS num, count(*) AS n
                {FROM_EVENTS.format(events=events)}
                  AND c.birth_date <= (e.month + interval '1 month - 1 day')::date
                  AND c.birth_date > (e.month + interval '1 month - 1 day')::date - interval '18 years'
                GROUP BY {GROUPS}
            )
            INSERT INTO {TABLE} {COLUMNS}
            SELECT %(key)s, p.month, p.district_id, p.sex, p.age_band, COALESCE(ev.num, 0), p.numerator,
                   {indicator.multiplier} * COALESCE(ev.num, 0)::float / NULLIF(p.numerator, 0), COALESCE(ev.n, 0),
                   '{source}', %(now)s
            FROM {TABLE} p
            LEFT JOIN ev ON ev.month = p.month AND ev.home_district_id = p.district_id
                        AND ev.sex = p.sex AND ev.age_band = p.age_band
            WHERE p.indicator = '{POPULATION}' AND p.source = '{source}'
              AND p.month >= %(start)s::date AND p.month < %(stop)s::date"""
    raise ValueError(indicator.kind)


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def default_period(today: date | None = None, months: int = 24) -> tuple[date, date]:
    """The last `months` whole months plus the current one: [start, stop)."""
    today = today or timezone.localdate()
    stop = add_months(month_start(today), 1)
    return add_months(stop, -months - 1), stop


def params(indicator: Indicator, start: date, stop: date, today: date) -> dict:
    return {"key": indicator.key, "start": start, "stop": stop, "today": today, "now": timezone.now()}


def run_rollup(*, start: date, stop: date, today: date | None = None, indicators=None) -> dict:
    """Recompute the given indicators (default all) for the months [start, stop). Returns
    {indicator key: seconds}. The population is computed first (the rates divide by it)."""
    today = today or timezone.localdate()
    start, stop = month_start(start), month_start(stop)
    chosen = list(indicators or CATALOGUE)
    if any(i.kind == "rate" for i in chosen) and all(i.key != POPULATION for i in chosen):
        chosen.insert(0, next(i for i in CATALOGUE if i.key == POPULATION))
    chosen.sort(key=lambda i: i.key != POPULATION)
    timings = {}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(SESSION_SETTINGS)
        cursor.execute(
            f"DELETE FROM {TABLE} WHERE source = %s AND month >= %s AND month < %s AND indicator = ANY(%s)",
            [ValueSource.COMPUTED.value, start, stop, [i.key for i in chosen]],
        )
        for indicator in chosen:
            began = time.perf_counter()
            cursor.execute(statement(indicator), params(indicator, start, stop, today))
            timings[indicator.key] = time.perf_counter() - began
    return timings
