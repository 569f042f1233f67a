from django.contrib import admin
from django.urls import include, path

from codingwatch.web.accounts import sso
from codingwatch.web.accounts import views as account_views
from codingwatch.web.accounts.views import LoginView
from codingwatch.web.api import api
from codingwatch.web.health import healthz

admin.site.site_header = "codingwatch administration"

urlpatterns = [
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", sso.LogoutView.as_view(), name="logout"),
    path("healthz", healthz, name="healthz"),  # public and aggregate: no login, no data
    path("mfa/verify/", account_views.mfa_verify, name="mfa-verify"),
    path("mfa/setup/", account_views.mfa_setup, name="mfa-setup"),
    path("mfa/recovery-codes/", account_views.mfa_recovery_codes, name="mfa-recovery-codes"),
    # Single sign-on (OpenID Connect): public, as the login form is; 404 unless set up.
    path("oidc/authenticate/", sso.start, name="oidc-start"),
    path("oidc/callback/", sso.callback, name="oidc-callback"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("costs/", include("codingwatch.web.costs.urls")),
    path("denials/", include("codingwatch.web.denials.urls")),
    path("scorecard/", include("codingwatch.web.scorecard.urls")),
    path("sampling/", include("codingwatch.web.sampling.urls")),
    path("", include("codingwatch.web.audits.urls")),
    path("provenance/", include("codingwatch.web.provenance.urls")),
    path("home/", include("codingwatch.web.home.urls")),
    path("notifications/", include("codingwatch.web.notifications.urls")),
    path("diligence/", include("codingwatch.web.diligence.urls")),
    path("", include("codingwatch.web.review.urls")),
    path("", include("codingwatch.web.dashboard.urls")),
]
