from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_http_methods

from codingwatch.web.accounts import mfa


class LoginView(auth_views.LoginView):
    """Django's login form (django-axes counts its failures); marked public by Django itself."""

    redirect_authenticated_user = True
    extra_context = {"idle_minutes": settings.IDLE_MINUTES}

    def get_context_data(self, **kwargs):
        from codingwatch.web.accounts import sso

        return super().get_context_data(**kwargs) | {
            "sso": sso.enabled(), "sso_refused": self.request.GET.get("sso") == "refused"}


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _to(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


@require_http_methods(["GET", "POST"])
def mfa_verify(request):
    """The second step of a password login: a code from the authenticator, or a recovery code."""
    if mfa.satisfied(request):
        return redirect(_next(request))
    if mfa.authenticator(request.user) is None:
        return redirect(_to("mfa-setup", _next(request)))
    error = ""
    if request.method == "POST":
        if mfa.verify(request, request.POST.get("token", "")):
            left = mfa.remaining_recovery_codes(request.user)
            if left <= 3:
                messages.warning(request, f"{left} recovery codes left: make new ones under “Second factor” (top right).")
            return redirect(_next(request))
        error = "That code was not accepted: type the current code from your authenticator, or a recovery code."
    return render(request, "registration/mfa_verify.html", {"error": error, "next": _next(request)})


@require_http_methods(["GET", "POST"])
def mfa_setup(request):
    """Enrol an authenticator: scan the code (or type the secret), confirm with its first code.

    Until a session has passed a second factor, only a user without a confirmed authenticator
    may enrol one (so a stolen password cannot replace the victim's authenticator)."""
    has_one = mfa.authenticator(request.user) is not None
    if has_one and not mfa.satisfied(request):
        return redirect(_to("mfa-verify", _next(request)))
    device = mfa.pending_authenticator(request.user)
    error = ""
    if request.method == "POST":
        codes = mfa.confirm_enrolment(request, device, request.POST.get("token", ""))
        if codes is not None:
            return render(request, "registration/mfa_codes.html", {"codes": codes, "next": _next(request)})
        error = "That code was not accepted: check the device's clock and type the code it shows now."
    return render(request, "registration/mfa_setup.html", {
        "qr": mfa.qr_svg_data_uri(device), "secret": mfa.secret_text(device), "error": error,
        "next": _next(request), "replacing": has_one,
    })


@require_http_methods(["GET", "POST"])
def mfa_recovery_codes(request):
    """How many recovery codes are left; POST: new ones (the old stop working), shown once.
    Needs a session that passed the second factor."""
    if not mfa.satisfied(request):
        return redirect(_to("mfa-verify", request.path))
    if request.method == "GET":
        return render(request, "registration/mfa_recovery.html",
                      {"left": mfa.remaining_recovery_codes(request.user)})
    return render(request, "registration/mfa_codes.html",
                  {"codes": mfa.new_recovery_codes(request.user), "next": resolve_url(settings.LOGIN_REDIRECT_URL)})
