"""The framework floor for the benchmarks: a trivial view behind the full middleware stack.

Mounted at /bench/trivial only when BACKA_BENCH=1 (and never in production); it reads
nothing but the session and the user the middleware already load, so the difference to a
real page is the page's own work.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def trivial(request):
    return HttpResponse("ok", content_type="text/plain")
