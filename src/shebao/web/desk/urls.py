"""The desk's pages, one module per area; ``web:desk`` is the queue every member of staff
lands on."""

from django.urls import include, path

from shebao.web.desk import queue

urlpatterns = [
    path("", queue.queue, name="desk"),
    path("", include("shebao.web.desk.oversight.urls")),
]
