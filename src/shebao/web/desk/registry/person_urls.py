"""``/desk/persons/``: the URL names start with ``desk-person``."""

from django.urls import path

from shebao.web.desk.registry import persons

urlpatterns = [
    path("", persons.person_list, name="desk-persons"),
    path("new/", persons.person_new, name="desk-person-new"),
    path("<int:person_id>/", persons.person_detail, name="desk-person"),
    path("<int:person_id>/reveal/", persons.person_reveal, name="desk-person-reveal"),
    path(
        "<int:person_id>/employments/new/",
        persons.person_employment_new,
        name="desk-person-employment-new",
    ),
    path(
        "<int:person_id>/employments/<int:employment_id>/end/",
        persons.employment_end,
        name="desk-employment-end",
    ),
]
