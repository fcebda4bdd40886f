from django.contrib.auth import views as auth_views
from django.urls import path

from zhanggui.core import views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="registration/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", views.set_language, name="set-language"),
    path("audit/", views.audit_list, name="audit-list"),
]
