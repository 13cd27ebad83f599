from django.urls import include, path

from shebao.web import auth, views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.health, name="health"),
    path("login", auth.LoginView.as_view(), name="login"),
    path("logout", auth.LogoutView.as_view(), name="logout"),
    path("password", auth.PasswordChangeView.as_view(), name="password"),
    path("desk/", include("shebao.web.desk.urls")),
    path("", include("shebao.web.public.urls")),  # /guide/, /verify/<code>
    path("me/", include("shebao.web.me.urls")),
    path("unit/", include("shebao.web.unit.urls")),
]
