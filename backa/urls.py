from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from backa.api import api
from backa.operations import health

handler500 = health.server_error

urlpatterns = [
    path("", include("backa.front.urls")),
    path("", include("backa.casefile.urls")),
    path("", include("backa.access.urls")),
    path("", include("backa.forums.urls")),
    path("", include("backa.impact.urls")),
    path("", include("backa.records.urls")),
    path("importer/", include("backa.integrations.urls")),
    path("utvardering/", include("backa.evaluation.urls")),
    path("konto/", include("backa.accounts.urls")),
    path("familj/", include("backa.family.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", health.metrics, name="metrics"),
]

if settings.BACKA_BENCH:  # the framework floor for bench/ (BACKA_BENCH=1, never in production)
    from backa.bench_views import trivial

    urlpatterns.append(path("bench/trivial", trivial, name="bench_trivial"))
