"""The second factor: TOTP (an authenticator app) with single-use recovery codes (django-otp).

django-otp rather than django-allauth's MFA: the app logs in through Django's own LoginView
(django-axes counts its failures, the admin uses the same accounts), and django-otp adds the
second step beside it without replacing the login views; allauth's MFA works only inside
allauth's own account flow.

A user whose role can read chart-level data (roles.CHART_LEVEL_ROLES) and who logged in with a
password must also pass a TOTP code (or a recovery code) in the same session before any page
or API answers, when settings.MFA_REQUIRED is on (CODINGWATCH_MFA_REQUIRED, default true). A
user without an authenticator yet is sent to enrol it at first login. A single sign-on login
whose identity provider says it checked a second factor (the ID token's `amr`, RFC 8176)
counts as verified.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django_otp import DEVICE_ID_SESSION_KEY, verify_token
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from codingwatch.web.accounts import roles

RECOVERY_CODES = 10
RECOVERY_DEVICE = "recovery codes"
AUTHENTICATOR = "authenticator"
# Session key set by the single sign-on login when the identity provider checked a second factor.
IDP_MFA_SESSION_KEY = "mfa_by_identity_provider"
# RFC 8176 `amr` values that name a second factor (or a phishing-resistant key).
SECOND_FACTOR_AMR = frozenset({"mfa", "otp", "hwk", "swk", "sms", "fpt", "face", "iris", "retina", "sc"})


def required_for(user) -> bool:
    return bool(settings.MFA_REQUIRED) and user.role in roles.CHART_LEVEL_ROLES


def satisfied(request) -> bool:
    user = request.user
    return bool(getattr(user, "is_verified", lambda: False)() or request.session.get(IDP_MFA_SESSION_KEY))


def authenticator(user, *, confirmed: bool | None = True) -> TOTPDevice | None:
    devices = TOTPDevice.objects.filter(user=user)
    if confirmed is not None:
        devices = devices.filter(confirmed=confirmed)
    return devices.order_by("-pk").first()


def pending_authenticator(user) -> TOTPDevice:
    """The unconfirmed authenticator being enrolled (made once, kept until confirmed)."""
    device = authenticator(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=False)
    return device


def qr_svg_data_uri(device: TOTPDevice) -> str:
    import segno

    return segno.make(device.config_url, error="m").svg_data_uri(scale=4, border=2)


def secret_text(device: TOTPDevice) -> str:
    """The base32 secret in groups of four, for typing into an app by hand."""
    from base64 import b32encode

    text = b32encode(device.bin_key).decode()
    return " ".join(text[i:i + 4] for i in range(0, len(text), 4))


@transaction.atomic
def new_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes with RECOVERY_CODES new single-use ones."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def confirm_enrolment(request, device: TOTPDevice, token: str) -> list[str] | None:
    """Check the first code from a pending authenticator; on success confirm it, mark this
    session verified and return the new recovery codes (shown once)."""
    found = verify_token(request.user, device.persistent_id, _clean(token))
    if found is None:
        return None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=request.user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    otp_login(request, device)
    return new_recovery_codes(request.user)


def verify(request, token: str) -> bool:
    """A code from the authenticator or one recovery code (used up): marks the session verified."""
    token = _clean(token)
    if not token:
        return False
    devices = [authenticator(request.user)]
    devices.append(StaticDevice.objects.filter(user=request.user, name=RECOVERY_DEVICE, confirmed=True).first())
    for device in filter(None, devices):
        found = verify_token(request.user, device.persistent_id, token)
        if found is not None:
            otp_login(request, found)
            return True
    return False


def remaining_recovery_codes(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__name=RECOVERY_DEVICE).count()


def _clean(token: str) -> str:
    return "".join((token or "").split()).lower()


__all__ = ["DEVICE_ID_SESSION_KEY", "authenticator", "required_for", "satisfied", "verify"]
