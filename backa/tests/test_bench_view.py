"""The benchmarks' trivial view exists only when BACKA_BENCH=1 (never in production)."""

import pytest
from django.urls import NoReverseMatch, reverse


@pytest.mark.django_db
def test_the_bench_view_is_not_mounted_by_default(client):
    with pytest.raises(NoReverseMatch):
        reverse("bench_trivial")
    assert client.get("/bench/trivial").status_code == 404


@pytest.mark.django_db
def test_the_bench_view_answers_a_logged_in_user_when_mounted(settings, world, client_for):
    import importlib

    from django.urls import clear_url_caches

    import backa.urls

    settings.BACKA_BENCH = True
    try:
        settings.ROOT_URLCONF = importlib.reload(backa.urls).__name__
        clear_url_caches()
        assert client_for("britta").get("/bench/trivial").content == b"ok"
    finally:
        settings.BACKA_BENCH = False
        importlib.reload(backa.urls)
        clear_url_caches()
