from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from shebao.clearance import storage
from shebao.policy.packs import all_regions


@require_safe
def home(request):
    return render(request, "web/home.html", {"regions": all_regions()})


@never_cache
@require_safe
def health(request):
    """For load balancers and monitoring: 200 while the database answers and the file
    store takes a file, 503 otherwise, saying which check failed."""
    checks = {"database": "up", "storage": "up"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # any database failure means "not ready", whatever its class
        checks["database"] = "down"
    if not storage.writable():
        checks["storage"] = "down"
    if "down" in checks.values():
        return JsonResponse({"status": "unavailable", **checks}, status=503)
    return JsonResponse({"status": "ok", **checks})
