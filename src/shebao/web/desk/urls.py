"""The desk's pages, one module per area; ``web:desk`` is the queue every member of staff
lands on."""

from django.urls import include, path

from shebao.web.desk import queue

urlpatterns = [
    path("", queue.queue, name="desk"),
    path("cases/", include("shebao.web.desk.cases.urls")),
    path("persons/", include("shebao.web.desk.registry.person_urls")),
    path("units/", include("shebao.web.desk.registry.unit_urls")),
    path("contributions/", include("shebao.web.desk.contributions.urls")),
    path("payments/", include("shebao.web.desk.payments.urls")),
    path("", include("shebao.web.desk.oversight.urls")),
]
