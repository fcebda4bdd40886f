from django.urls import path

from zhanggui.desk import views

# No namespace: "home" is the name the login redirect, the header and the 403 page have always used.
urlpatterns = [
    path("", views.home, name="home"),
]
