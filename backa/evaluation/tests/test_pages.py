"""The evaluation pages: who may open them, suppression, CSV, logging, query counts, the research extract."""

import io
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from backa.audit.models import AccessLog
from backa.evaluation.models import EthicsApproval, ExtractionRecord, IndicatorValue
from backa.evaluation.rollup import add_months, default_period, run_rollup

from .dataset import NOTE_TEXTS, build

DASHBOARD = "/utvardering/"


def seed_values(world):
    """District totals: Järva (pilot) 60 before / 80 after; Farsta (comparison) 50 / 55; one small cell."""
    start, stop = default_period()
    begin = world.jarva.pilot_start
    month = start
    while month < stop:
        after = month >= begin
        for district, before_value, after_value in [(world.jarva, 60.0, 80.0), (world.farsta, 50.0, 55.0)]:
            IndicatorValue.objects.create(
                indicator="consent_given",
                month=month,
                district=district,
                value=after_value if after else before_value,
                numerator=1,
                denominator=1,
                n_children=40,
            )
        month = add_months(month, 1)
    IndicatorValue.objects.create(
        indicator="plans_child_view",
        month=start,
        district=world.jarva,
        value=33.3,
        numerator=1,
        denominator=3,
        n_children=3,
    )


@pytest.fixture
def analyst(world):
    world.olle.user_permissions.add(Permission.objects.get(codename="view_evaluation"))
    return world.olle


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["olle", "britta", "sara", "former"])
def test_people_without_the_role_are_refused(world, client_for, persona):
    for url in [
        DASHBOARD,
        DASHBOARD + "?format=csv&table=did",
        DASHBOARD + "indikator/consent_given/",
        DASHBOARD + "forskningsuttag/",
        DASHBOARD + "forskningsuttag/kodbok/",
    ]:
        response = client_for(persona).get(url)
        assert response.status_code == 403, url
        assert b"consent" not in response.content.lower() or url.endswith("kodbok/") is False
    assert not AccessLog.objects.filter(object_type="evaluation").exists()


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client):
    assert client.get(DASHBOARD).status_code == 302


@pytest.mark.django_db
def test_district_admin_sees_did_spread_and_suppression(world, client_for, django_assert_max_num_queries):
    seed_values(world)
    client = client_for("ada", language="en")
    with django_assert_max_num_queries(20):
        response = client.get(DASHBOARD)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Difference-in-differences per indicator" in html
    rows = {r["indicator"].key: r for r in response.context["rows"]}
    assert rows["consent_given"]["did"].estimate == pytest.approx(15.0)  # (80-60) - (55-50)
    assert rows["consent_given"]["spread"].n_districts == 2
    # The three-child cell is never shown: its district is left out of the spread.
    assert rows["plans_child_view"]["spread"].n_districts == 0
    assert "33.3" not in html and "33,3" not in html
    log = AccessLog.objects.get(object_type="evaluation")
    assert log.child_id is None and log.user_id == world.ada.id and log.object_id == "dashboard:page"


@pytest.mark.django_db
def test_indicator_page_chart_table_and_csv(world, client_for, analyst, django_assert_max_num_queries):
    seed_values(world)
    client = client_for("olle", language="en")
    with django_assert_max_num_queries(20):
        response = client.get(DASHBOARD + "indikator/consent_given/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="img"' in html and '<title id="indicator-chart-title">' in html and "style=" not in html
    assert '<th scope="col">Järva (Pilot)</th>' in html
    small = client.get(DASHBOARD + "indikator/plans_child_view/").content.decode()
    assert "33.3" not in small  # fewer than 5 children
    csv_response = client.get(DASHBOARD + "indikator/consent_given/?format=csv&table=districts")
    assert csv_response["Content-Type"].startswith("text/csv")
    lines = csv_response.content.decode().splitlines()
    assert lines[0].startswith("Month,Farsta,Järva") or lines[0].startswith("Month,")
    assert any(",80.0," in line or ",80.0" in line for line in lines[1:])
    assert client.get(DASHBOARD + "indikator/nope/").status_code == 404
    assert client.get(DASHBOARD + "indikator/children/").status_code == 404


@pytest.mark.django_db
def test_csv_neutralises_formulas(world, client_for, analyst):
    world.farsta.name = '=HYPERLINK("x")'
    world.farsta.save()
    seed_values(world)
    body = client_for("olle").get(DASHBOARD + "indikator/consent_given/?format=csv&table=districts").content.decode()
    assert "'=HYPERLINK" in body
    assert client_for("olle").get(DASHBOARD + "?format=csv&table=equality").status_code == 200
    assert client_for("olle").get(DASHBOARD + "?format=csv&table=nope").status_code == 404


@pytest.mark.django_db
def test_dashboard_reads_the_rollup_of_real_records(on_dataset_day, world, client_for):
    build(world)
    run_rollup(start=default_period()[0], stop=default_period()[1])
    response = client_for("ada", language="en").get(DASHBOARD + "indikator/meetings_child_heard/")
    assert response.status_code == 200
    # Three children only: every cell is suppressed.
    assert all(v is None for row in response.context["table"] for v in row["cells"])


# -- the research extract -----------------------------------------------------------------------


@pytest.fixture
def approval(world):
    today = timezone.localdate()
    a = EthicsApproval.objects.create(
        municipality=world.municipality,
        reference="Dnr 2026-01234-01",
        study_title="Backa barnet i Stockholm",
        valid_from=today - timedelta(days=10),
        valid_to=today + timedelta(days=300),
    )
    a.extractors.add(world.sara)
    return a


def extract(client, approval, fmt="csv", granularity="month"):
    return client.post(
        DASHBOARD + "forskningsuttag/",
        {
            "approval": str(approval.pk),
            "start": "2025-01-01",
            "stop": "2026-12-01",
            "granularity": granularity,
            "file_format": fmt,
        },
    )


@pytest.mark.django_db
def test_research_extract_holds_no_identifiers_or_text(on_dataset_day, world, client_for, approval):
    build(world)
    response = extract(client_for("sara"), approval)
    assert response.status_code == 200, response.content[:500]
    body = response.content.decode()
    header, *rows = body.splitlines()
    assert header.startswith("study_id,event,period,age_years,sex,district,arm")
    assert len(rows) > 20
    flat = body.replace("-", "")
    for child in world.children.values():
        number = child.identity_number
        for needle in [number.formatted, child.given_name, child.family_name, str(child.pk)]:
            assert needle not in body, needle
        assert number.digits not in flat and number.digits[2:] not in flat
    for text in NOTE_TEXTS + ["Anna", "Nilsson", "070-0000000"]:
        assert text not in body
    assert {r.split(",")[2][:4] for r in rows} <= {"2025", "2026"}
    assert all(len(r.split(",")[2]) == 7 for r in rows)  # YYYY-MM
    record = ExtractionRecord.objects.get()
    assert (record.extracted_by, record.approval, record.n_rows) == (world.sara, approval, len(rows))
    assert record.n_children == 4 and "5 children" in record.suppression
    logged = AccessLog.objects.filter(object_type="research_extract", action="export", child_id__isnull=False)
    assert logged.count() == 4 and {row.user_id for row in logged} == {world.sara.id}
    assert AccessLog.objects.filter(object_type="research_extract", object_id=str(record.pk)).count() == 1
    # The same child gets the same study id next time.
    again = extract(client_for("sara"), approval).content.decode()
    assert {r.split(",")[0] for r in again.splitlines()[1:]} == {r.split(",")[0] for r in rows}


@pytest.mark.django_db
def test_research_extract_as_parquet_by_week(on_dataset_day, world, client_for, approval):
    import pyarrow.parquet as pq

    build(world)
    response = extract(client_for("sara"), approval, fmt="parquet", granularity="week")
    table = pq.read_table(io.BytesIO(response.content))
    assert table.column_names[:3] == ["study_id", "event", "period"]
    assert all("-W" in p for p in table.column("period").to_pylist())


@pytest.mark.django_db
def test_only_people_named_on_a_valid_approval_may_extract(world, client_for, approval):
    assert client_for("olle").get(DASHBOARD + "forskningsuttag/").status_code == 403
    assert extract(client_for("rasmus"), approval).status_code == 403
    approval.valid_to = timezone.localdate() - timedelta(days=1)
    approval.valid_from = approval.valid_to - timedelta(days=5)
    approval.save()
    assert extract(client_for("sara"), approval).status_code == 403
    assert not ExtractionRecord.objects.exists()
    assert not AccessLog.objects.filter(object_type="research_extract").exists()


@pytest.mark.django_db
def test_bad_extract_request_changes_nothing(world, client_for, approval):
    response = client_for("sara").post(
        DASHBOARD + "forskningsuttag/",
        {
            "approval": str(approval.pk),
            "start": "2026-05-01",
            "stop": "2026-01-01",
            "granularity": "day",
            "file_format": "xlsx",
        },
    )
    assert response.status_code == 400
    assert not ExtractionRecord.objects.exists()


@pytest.mark.django_db
def test_codebook_lists_every_column_and_event(world, client_for, approval):
    from backa.evaluation.research import COLUMNS, EVENTS

    text = client_for("sara").get(DASHBOARD + "forskningsuttag/kodbok/").content.decode()
    for item in COLUMNS + EVENTS:
        assert f"`{item.name}`" in text


@pytest.mark.django_db
def test_a_small_district_never_enters_the_arm_mean(world, client_for, analyst):
    """Pilot mean from the districts shown only: else the small one could be worked out by subtraction."""
    from backa.organisations.models import District

    start, _stop = default_period()
    small = District.objects.create(
        municipality=world.municipality,
        code="SMALL",
        name="Lilla",
        evaluation_arm="pilot",
        pilot_start=world.jarva.pilot_start,
    )
    IndicatorValue.objects.create(
        indicator="consent_given",
        month=start,
        district=world.jarva,
        value=80.0,
        numerator=1,
        denominator=1,
        n_children=40,
    )
    IndicatorValue.objects.create(
        indicator="consent_given", month=start, district=small, value=10.0, numerator=1, denominator=1, n_children=2
    )
    response = client_for("olle").get(DASHBOARD + "indikator/consent_given/")
    first = response.context["table"][0]
    assert first["pilot"] == 80.0
    assert None in first["cells"] and 10.0 not in first["cells"]


@pytest.mark.django_db
def test_the_service_refuses_an_extract_without_approval(world, approval):
    from django.core.exceptions import ValidationError

    from backa.evaluation.services import do_research_extract

    with pytest.raises(ValidationError):
        do_research_extract(
            acting_user=world.olle,
            approval=approval,
            start=date(2025, 1, 1),
            stop=date(2026, 1, 1),
            granularity="month",
            file_format="csv",
        )
    assert not ExtractionRecord.objects.exists()
