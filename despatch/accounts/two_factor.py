"""Two-factor sign-in (W6): a TOTP authenticator app, and recovery codes for a lost phone.

Built on django-otp. Editors and admins must have it (``requires_two_factor``);
anyone else may turn it on. A six-digit code is checked against the person's
authenticator; anything else is tried as a recovery code, which works once.
"""

from __future__ import annotations

import base64
import io
import re
from typing import Any

import django_otp
from django.db import transaction
from django.http import HttpRequest
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import roles
from .audit import audit_record
from .models import AuditLogEntry, User

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_NAME = "authenticator"
RECOVERY_NAME = "recovery codes"
_TOTP_CODE = re.compile(r"^\d{6}$")


def requires_two_factor(user: Any) -> bool:
    """Admins, Django staff and editors of any blog must sign in with a second factor."""
    if not (user and user.is_authenticated):
        return False
    return bool(
        user.is_superuser or user.is_staff or roles.has_any_role(user, *roles.TWO_FACTOR_ROLES)
    )


def has_two_factor(user: Any) -> bool:
    """Whether ``user`` has a confirmed authenticator."""
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()


def is_verified(request: HttpRequest) -> bool:
    """Whether this session has passed the second step (set by django-otp's middleware)."""
    checker = getattr(request.user, "is_verified", None)
    return bool(checker and checker())


def pending_authenticator(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator being set up, made on first call with a fresh secret."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


def provisioning_qr_data_uri(device: TOTPDevice) -> str:
    """The ``otpauth://`` address as an SVG QR code in a ``data:`` URI (CSP allows those)."""
    from django_otp.qr import write_qrcode_image

    buffer = io.BytesIO()
    write_qrcode_image(device.config_url, buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def secret_for_typing(device: TOTPDevice) -> str:
    """The secret in base32, grouped in fours, for people who cannot scan the code."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@transaction.atomic
def authenticator_confirm(
    *, user: User, device: TOTPDevice, code: str, request: HttpRequest | None = None
) -> list[str] | None:
    """Confirm a new authenticator with a code from it; return fresh recovery codes.

    Returns ``None`` when the code is wrong. Any older authenticator is
    replaced: a person has one phone app at a time.
    """
    if device.user_id != user.pk or not device.verify_token(code.strip().replace(" ", "")):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _replace_recovery_codes(user)
    audit_record(
        actor=user, action=AuditLogEntry.Action.TWO_FACTOR_ON, subject=user, request=request
    )
    if request is not None:
        django_otp.login(request, device)
    return codes


def _replace_recovery_codes(user: User) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def recovery_codes_replace(*, user: User, request: HttpRequest | None = None) -> list[str]:
    """Make a new set of recovery codes; the old ones stop working."""
    codes = _replace_recovery_codes(user)
    audit_record(
        actor=user, action=AuditLogEntry.Action.RECOVERY_CODES, subject=user, request=request
    )
    return codes


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def two_factor_disable(*, user: User, by: User, request: HttpRequest | None = None) -> bool:
    """Remove ``user``'s authenticator and codes; refused while their role requires them."""
    if requires_two_factor(user) and by.pk == user.pk:
        return False
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    audit_record(
        actor=by, action=AuditLogEntry.Action.TWO_FACTOR_OFF, subject=user, request=request
    )
    return True


def verify_second_step(*, user: User, code: str) -> Device | None:
    """Check a code from the authenticator, or a recovery code; return the device that took it.

    Each device throttles itself after wrong codes (django-otp), so guessing
    six digits is slowed down the same way a password is.
    """
    cleaned = code.strip().replace(" ", "").lower()
    if not cleaned:
        return None
    model: type[Device] = TOTPDevice if _TOTP_CODE.match(cleaned) else StaticDevice
    with transaction.atomic():
        for device in model.objects.devices_for_user(user, confirmed=True).select_for_update():
            if device.verify_token(cleaned):
                return device
    return None


def complete_second_step(request: HttpRequest, device: Device) -> None:
    """Mark the session as verified by ``device``."""
    django_otp.login(request, device)
