from django.conf import settings
from django.contrib.auth import views as auth_views


class LoginView(auth_views.LoginView):
    """Django's login form (django-axes counts its failures); marked public by Django itself."""

    redirect_authenticated_user = True
    extra_context = {"idle_minutes": settings.IDLE_MINUTES}
