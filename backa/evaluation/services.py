"""Reads of the rollup for the pages, the baseline import and the research extraction."""

import csv
import io
from collections import defaultdict
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backa.access import lookups
from backa.audit.context import as_acting
from backa.audit.log import Action, log_access, log_access_many
from backa.audit.vocabulary import ObjectType, Purpose
from backa.evaluation import research
from backa.evaluation.indicators import BY_KEY, OUTCOMES, value_from
from backa.evaluation.models import ALL, ExtractionRecord, IndicatorValue, ValueSource
from backa.evaluation.rollup import add_months
from backa.evaluation.stats import did, spread
from backa.forums.burden import suppress_small
from backa.organisations.models import District, EvaluationArm

# -- the dashboard ------------------------------------------------------------------------------


def evaluation_districts(municipality_id=None):
    rows = District.objects.filter(evaluation_arm__in=[EvaluationArm.PILOT, EvaluationArm.COMPARISON])
    if municipality_id is not None:
        rows = rows.filter(municipality_id=municipality_id)
    return list(rows.order_by("evaluation_arm", "name"))


def common_start(districts) -> date | None:
    starts = [d.pilot_start for d in districts if d.evaluation_arm == EvaluationArm.PILOT and d.pilot_start]
    return min(starts) if starts else None


def district_series(*, districts, start: date, stop: date, indicators=None) -> dict:
    """{indicator: {district_id: [(month, value, n_children), ...]}} of district totals, unsuppressed
    (for estimates). An imported baseline value wins over a computed one for the same month. One query."""
    keys = [i.key for i in (indicators or OUTCOMES)]
    rows = (
        IndicatorValue.objects.filter(
            indicator__in=keys,
            district__in=districts,
            sex=ALL,
            age_band=ALL,
            month__gte=start,
            month__lt=stop,
        )
        .order_by("indicator", "district_id", "month", "source")  # "baseline" sorts before "computed"
        .values_list("indicator", "district_id", "month", "value", "n_children", "source")
    )
    chosen = {}
    for key, district_id, month, value, n, _source in rows:
        chosen.setdefault((key, district_id, month), (value, n))
    result = defaultdict(lambda: defaultdict(list))
    for (key, district_id, month), (value, n) in sorted(chosen.items(), key=lambda item: item[0][2]):
        result[key][district_id].append((month, value, n))
    return result


def shown(value, n):
    """The value if its cell may be shown outside a case view (suppress_small on the children behind it)."""
    return value if value is not None and suppress_small(n) is not None else None


def overview(*, start: date, stop: date, municipality_id=None) -> dict:
    """Per indicator: the DiD estimate and the spread between districts over the period."""
    districts = evaluation_districts(municipality_id)
    begin = common_start(districts)
    series = district_series(districts=districts, start=start, stop=stop)
    rows = []
    for indicator in OUTCOMES:
        per_district = series.get(indicator.key, {})
        estimate = did(per_district, districts, begin)
        district_values = []
        for district in districts:
            # Only months that may be shown enter the district's mean, so no small cell can be
            # worked out from it.
            values = [v for _m, v, n in per_district.get(district.id, []) if shown(v, n) is not None]
            district_values.append(sum(values) / len(values) if values else None)
        rows.append({"indicator": indicator, "did": estimate, "spread": spread(district_values)})
    return {"districts": districts, "pilot_start": begin, "rows": rows, "start": start, "stop": stop}


def months_between(start: date, stop: date) -> list[date]:
    months, month = [], start
    while month < stop:
        months.append(month)
        month = add_months(month, 1)
    return months


def indicator_detail(indicator, *, start: date, stop: date, municipality_id=None) -> dict:
    """One indicator per district and month (suppressed), the arm means, and the cells by sex and age band."""
    districts = evaluation_districts(municipality_id)
    per_district = district_series(districts=districts, start=start, stop=stop, indicators=[indicator]).get(
        indicator.key, {}
    )
    months = [m for m in months_between(start, stop) if indicator.period == "month" or m.month in (1, 7)]
    grid = {d.id: {m: (v, n) for m, v, n in per_district.get(d.id, [])} for d in districts}
    table = []
    for month in months:
        cells = [shown(*grid[d.id].get(month, (None, 0))) for d in districts]
        arms = {}
        for arm in (EvaluationArm.PILOT, EvaluationArm.COMPARISON):
            # The mean of the districts shown: a suppressed district never enters it (else it
            # could be worked out by subtraction from the mean and the others).
            values = [shown(*grid[d.id].get(month, (None, 0))) for d in districts if d.evaluation_arm == arm]
            values = [v for v in values if v is not None]
            arms[arm] = sum(values) / len(values) if values else None
        table.append(
            {
                "month": month,
                "cells": cells,
                "pilot": arms[EvaluationArm.PILOT],
                "comparison": arms[EvaluationArm.COMPARISON],
            }
        )
    return {
        "districts": districts,
        "months": months,
        "table": table,
        "pilot_start": common_start(districts),
        "breakdown": breakdown(indicator, districts=districts, start=start, stop=stop),
    }


def breakdown(indicator, *, districts, start: date, stop: date) -> list[dict]:
    """Pilot vs comparison by sex and by age band over the period, from the cells (numerators and
    denominators added up; medians are not additive and get no breakdown). One query."""
    if indicator.kind == "median":
        return []
    arm_of = {d.id: d.evaluation_arm for d in districts}
    sums = defaultdict(lambda: [0.0, 0.0, 0])
    rows = (
        IndicatorValue.objects.filter(
            indicator=indicator.key,
            district__in=districts,
            month__gte=start,
            month__lt=stop,
            source=ValueSource.COMPUTED,
        )
        .exclude(sex=ALL)
        .values_list("district_id", "sex", "age_band", "numerator", "denominator", "n_children")
    )
    for district_id, sex, band, num, den, n in rows:
        for dimension, group in (("sex", sex), ("age_band", band)):
            cell = sums[(dimension, group, arm_of[district_id])]
            cell[0] += num or 0
            cell[1] += den or 0
            cell[2] += n
    result = []
    for dimension, group in sorted({(k[0], k[1]) for k in sums}):
        values = {}
        for arm in (EvaluationArm.PILOT, EvaluationArm.COMPARISON):
            num, den, n = sums.get((dimension, group, arm), (0, 0, 0))
            value = num if indicator.kind == "count" else value_from(indicator, num, den)
            values[arm] = shown(value, n)
        result.append(
            {
                "dimension": dimension,
                "group": group,
                "pilot": values[EvaluationArm.PILOT],
                "comparison": values[EvaluationArm.COMPARISON],
            }
        )
    return result


def log_dashboard_view(request, what: str):
    """The dashboard opens no child file: one aggregate row in the access log, without a child."""
    log_access(
        request=request,
        action=Action.VIEW,
        object_type=ObjectType.EVALUATION,
        object_id=what,
        purpose=Purpose.EVALUATION,
    )


# -- the baseline import -------------------------------------------------------------------------

BASELINE_HEADER = ["district", "month", "indicator", "numerator", "denominator"]


def do_import_baseline(*, acting_user, text: str, municipality) -> int:
    """Import pre-pilot aggregates (CSV: district code, month YYYY-MM, indicator, numerator,
    denominator). Every line is checked first; on any error nothing is changed and the
    ValidationError lists the errors by line. Re-importing a cell replaces it."""
    districts = {d.code: d for d in District.objects.filter(municipality=municipality)}
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    if header is None or [h.strip().lower() for h in header] != BASELINE_HEADER:
        raise ValidationError([_("The first line must be: %(header)s") % {"header": ",".join(BASELINE_HEADER)}])
    errors, values, seen = [], [], set()
    for line_no, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != 5:
            errors.append(_("Line %(line)s: expected 5 fields, found %(n)s.") % {"line": line_no, "n": len(row)})
            continue
        code, month_text, key, num_text, den_text = (cell.strip() for cell in row)
        problems = []
        district = districts.get(code)
        if district is None:
            problems.append(_("unknown district %(code)s") % {"code": code})
        try:
            year, month = (int(part) for part in month_text.split("-"))
            month_day = date(year, month, 1)
        except ValueError:
            problems.append(_("month must be YYYY-MM"))
            month_day = None
        indicator = BY_KEY.get(key)
        if indicator is None:
            problems.append(_("unknown indicator %(key)s") % {"key": key})
        try:
            numerator = float(num_text.replace(",", "."))
            denominator = float(den_text.replace(",", ".")) if den_text else None
            if numerator < 0 or (denominator is not None and denominator < 0):
                raise ValueError
        except ValueError:
            problems.append(_("numerator and denominator must be numbers of zero or more"))
            numerator = denominator = None
        if (
            indicator is not None
            and indicator.kind in ("share", "rate", "mean")
            and numerator is not None
            and not denominator
        ):
            problems.append(_("a denominator above zero is needed"))
        if (
            indicator is not None
            and indicator.kind == "share"
            and numerator is not None
            and denominator
            and numerator > denominator
        ):
            problems.append(_("the numerator cannot exceed the denominator"))
        if month_day and month_day >= timezone.localdate().replace(day=1):
            problems.append(_("a baseline is for past months"))
        key_cell = (code, month_day, key)
        if key_cell in seen:
            problems.append(_("the same district, month and indicator appear twice"))
        seen.add(key_cell)
        if problems:
            errors.append(_("Line %(line)s: %(problems)s.") % {"line": line_no, "problems": "; ".join(problems)})
            continue
        values.append(
            IndicatorValue(
                indicator=key,
                month=month_day,
                district=district,
                sex=ALL,
                age_band=ALL,
                numerator=numerator,
                denominator=denominator,
                value=value_from(indicator, numerator, denominator),
                # The import carries no child counts: the denominator (children or events) stands in.
                n_children=int(denominator if denominator is not None else numerator),
                source=ValueSource.BASELINE,
            )
        )
    if errors:
        raise ValidationError(errors)
    if not values:
        raise ValidationError([_("The file has no lines to import.")])
    with transaction.atomic():
        for value in values:
            IndicatorValue.objects.filter(
                indicator=value.indicator,
                month=value.month,
                district=value.district,
                sex=ALL,
                age_band=ALL,
                source=ValueSource.BASELINE,
            ).delete()
        IndicatorValue.objects.bulk_create(values)
    return len(values)


# -- the research extract -----------------------------------------------------------------------


def do_research_extract(
    *, acting_user, approval, start: date, stop: date, granularity: str, file_format: str
) -> tuple[bytes, ExtractionRecord]:
    """Build a pseudonymised extract under an ethics approval, record it, and log one
    access-log row (action export) per child included, in one transaction."""
    acting = as_acting(acting_user)
    acting_user = acting.user
    errors = {}
    if granularity not in ("month", "week"):
        errors["granularity"] = _("Choose month or week.")
    if file_format not in ("csv", "parquet"):
        errors["file_format"] = _("Choose CSV or Parquet.")
    if not start or not stop or stop <= start:
        errors["stop"] = _("The end must come after the start.")
    if errors:
        raise ValidationError(errors)
    today = timezone.localdate()
    if (
        approval is None
        or not approval.is_valid_on(today)
        or not approval.extractors.filter(pk=acting_user.pk).exists()
    ):
        raise ValidationError({"approval": _("You are not named on a valid ethics approval.")})
    with transaction.atomic():
        children = list(
            lookups.children_for_research_extract(acting_user, approval).values(
                "id",
                "birth_date",
                "sex",
                "municipality_id",
                "protected_identity",
                "home_district__code",
                "home_district__evaluation_arm",
            )
        )
        rows = research.build_rows(
            [
                {
                    "id": c["id"],
                    "birth_date": c["birth_date"],
                    "sex": c["sex"],
                    "district": c["home_district__code"],
                    "arm": c["home_district__evaluation_arm"],
                }
                for c in children
            ],
            start=start,
            stop=stop,
            granularity=granularity,
        )
        included = {row[0] for row in rows}
        included_children = [c for c in children if research.pseudonym(c["id"]) in included]
        record = ExtractionRecord.objects.create(
            approval=approval,
            extracted_by=acting_user,
            period_start=start,
            period_end=stop,
            file_format=file_format,
            date_granularity=granularity,
            key_id=research.key_fingerprint(),
            n_rows=len(rows),
            n_children=len(included_children),
            suppression=research.SUPPRESSION_NOTE.format(granularity=granularity),
            dataset_version=research.DATASET_VERSION,
        )
        log_access_many(
            acting=acting,
            action=Action.EXPORT,
            purpose=f"{Purpose.RESEARCH.value}:{approval.reference}",
            object_type=ObjectType.RESEARCH_EXTRACT,
            children=[_ChildRef(c) for c in included_children],
        )
        log_access(
            acting=acting,
            action=Action.EXPORT,
            object_type=ObjectType.RESEARCH_EXTRACT,
            object_id=record.pk,
            purpose=f"{Purpose.RESEARCH.value}:{approval.reference}",
        )
    content = research.to_parquet(rows) if file_format == "parquet" else research.to_csv(rows)
    return content, record


class _ChildRef:
    """What log_access_many reads of a child (id, municipality), without loading the file."""

    def __init__(self, row):
        self.pk, self.municipality_id, self.protected_identity = (
            row["id"],
            row["municipality_id"],
            row["protected_identity"],
        )
