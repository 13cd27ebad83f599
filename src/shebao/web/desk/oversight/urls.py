from django.urls import path

from shebao.web.desk.oversight import audit, dashboard, users

urlpatterns = [
    path("dashboard/", dashboard.dashboard, name="desk-dashboard"),
    path("audit/", audit.audit_trail, name="desk-audit"),
    path("audit/verify", audit.audit_verify, name="desk-audit-verify"),
    path("users/", users.user_list, name="desk-users"),
    path("users/new/staff", users.staff_user_new, name="desk-user-new-staff"),
    path("users/new/person", users.person_login_new, name="desk-user-new-person"),
    path("users/new/unit", users.unit_login_new, name="desk-user-new-unit"),
    path("users/<int:user_id>/", users.user_detail, name="desk-user"),
    path("users/<int:user_id>/password", users.user_password, name="desk-user-password"),
    path("users/<int:user_id>/deactivate", users.user_deactivate, name="desk-user-deactivate"),
    path("users/<int:user_id>/activate", users.user_activate, name="desk-user-activate"),
]
