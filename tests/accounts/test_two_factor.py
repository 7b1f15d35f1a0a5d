"""Two-factor sign-in (W6): TOTP required for editors and admins, optional for others,
with recovery codes that work once."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from despatch.accounts.models import AuditLogEntry, Membership, Role
from tests.factories import make_blog, make_user

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


def current_code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + steps_ahead * device.step
    return f"{totp.token():06d}"


def sign_in(client: Client, user) -> object:
    return client.post(reverse("studio:sign-in"), {"username": user.username, "password": PASSWORD})


@pytest.fixture
def editor():
    user = make_user(username="editor")
    Membership.objects.create(user=user, blog=make_blog(), role=Role.EDITOR)
    return user


@pytest.fixture
def contributor():
    user = make_user(username="contributor")
    Membership.objects.create(user=user, blog=make_blog(), role=Role.CONTRIBUTOR)
    return user


def test_an_editor_must_set_up_an_authenticator_before_the_studio(editor, client: Client) -> None:
    response = sign_in(client, editor)
    assert response["Location"].startswith(reverse("studio:two-factor-setup"))
    blocked = client.get(reverse("studio:dashboard"))
    assert blocked.status_code == 302 and blocked["Location"].startswith(
        reverse("studio:two-factor-setup")
    )
    # ...and the admin is behind the same door.
    editor.is_staff = True
    editor.save()
    assert client.get("/admin/")["Location"].startswith(reverse("studio:two-factor-setup"))


def test_setting_up_shows_a_qr_code_and_ends_with_recovery_codes(editor, client: Client) -> None:
    sign_in(client, editor)
    page = client.get(reverse("studio:two-factor-setup"))
    assert 'src="data:image/svg+xml;base64,' in page.content.decode()
    device = TOTPDevice.objects.get(user=editor, confirmed=False)

    wrong = client.post(reverse("studio:two-factor-setup"), {"code": "000000"})
    assert wrong.status_code == 400
    # A wrong code slows the next try down; a person would wait a moment.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )
    done = client.post(reverse("studio:two-factor-setup"), {"code": current_code(device)})
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", done.content.decode())
    assert len(codes) == 10
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert client.get(reverse("studio:dashboard")).status_code == 200
    assert AuditLogEntry.objects.filter(
        action=AuditLogEntry.Action.TWO_FACTOR_ON, actor=editor
    ).exists()


def confirmed_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def test_signing_in_asks_for_the_code_and_lets_in_only_with_it(editor, client: Client) -> None:
    device = confirmed_device(editor)
    response = sign_in(client, editor)
    assert response["Location"].startswith(reverse("studio:two-factor"))
    assert client.get(reverse("studio:dashboard"))["Location"].startswith(
        reverse("studio:two-factor")
    )

    refused = client.post(reverse("studio:two-factor"), {"code": "123456"})
    assert refused.status_code == 400 and "did not work" in refused.content.decode()
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )
    accepted = client.post(
        reverse("studio:two-factor"),
        {"code": current_code(device), "next": reverse("studio:posts")},
    )
    assert accepted["Location"] == reverse("studio:posts")
    assert client.get(reverse("studio:dashboard")).status_code == 200


def test_a_recovery_code_works_once(editor) -> None:
    from despatch.accounts.two_factor import recovery_codes_replace

    confirmed_device(editor)
    code = recovery_codes_replace(user=editor)[0]
    first, second = Client(), Client()
    sign_in(first, editor)
    assert first.post(reverse("studio:two-factor"), {"code": code})["Location"] == reverse(
        "studio:dashboard"
    )
    sign_in(second, editor)
    assert second.post(reverse("studio:two-factor"), {"code": code}).status_code == 400


def test_wrong_codes_slow_further_tries_down(editor) -> None:
    device = confirmed_device(editor)
    client = Client()
    sign_in(client, editor)
    client.post(reverse("studio:two-factor"), {"code": "111111"})
    # Even the right code is refused while the device's throttle holds.
    assert (
        client.post(reverse("studio:two-factor"), {"code": current_code(device)}).status_code == 400
    )


def test_a_code_cannot_be_used_twice(editor) -> None:
    device = confirmed_device(editor)
    code = current_code(device)
    first, second = Client(), Client()
    sign_in(first, editor)
    assert first.post(reverse("studio:two-factor"), {"code": code}).status_code == 302
    sign_in(second, editor)
    assert second.post(reverse("studio:two-factor"), {"code": code}).status_code == 400


def test_two_factor_is_optional_for_contributors(contributor, client: Client) -> None:
    response = sign_in(client, contributor)
    assert response["Location"] == reverse("studio:dashboard")
    assert client.get(reverse("studio:dashboard")).status_code == 200
    page = client.get(reverse("studio:account")).content.decode()
    assert "Turn on two-factor sign-in" in page


def test_an_editor_cannot_turn_two_factor_off(editor, client: Client) -> None:
    from tests.studio.conftest import sign_in as signed_in

    signed_in(client, editor)
    client.post(reverse("studio:account"), {"action": "disable-two-factor"})
    assert TOTPDevice.objects.filter(user=editor).exists()


def test_an_admin_is_required_too(client: Client) -> None:
    admin = make_user(username="root", is_superuser=True, is_staff=True)
    response = sign_in(client, admin)
    assert response["Location"].startswith(reverse("studio:two-factor-setup"))
