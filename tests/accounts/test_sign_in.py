"""Throttled sign-in with a clear message, and password reset by e-mail (W6)."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from despatch.accounts.models import AuditLogEntry, Membership, Role
from tests.factories import make_blog, make_user

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


@pytest.fixture
def author():
    user = make_user(username="ambassador", email="ambassador@example.org")
    Membership.objects.create(user=user, blog=make_blog(), role=Role.AUTHOR)
    return user


def attempt(client: Client, username: str, password: str, **extra):
    return client.post(
        reverse("studio:sign-in"), {"username": username, "password": password}, **extra
    )


def test_the_right_password_signs_in_and_is_logged(author, client: Client) -> None:
    response = attempt(client, "ambassador", PASSWORD)
    assert response.status_code == 302
    assert AuditLogEntry.objects.filter(action=AuditLogEntry.Action.SIGN_IN, actor=author).exists()


def test_a_wrong_password_says_so_plainly(author, client: Client) -> None:
    response = attempt(client, "ambassador", "wrong")
    assert response.status_code == 200
    assert "do not match an active account" in response.content.decode()


def test_five_wrong_passwords_lock_the_name_with_a_clear_message(
    author, client: Client, settings
) -> None:
    for _ in range(settings.DESPATCH_SIGN_IN_ATTEMPTS):
        attempt(client, "ambassador", "wrong")
    locked = attempt(client, "ambassador", PASSWORD)
    assert locked.status_code == 429
    assert "Too many wrong attempts" in locked.content.decode()
    assert int(locked["Retry-After"]) > 0
    assert "_auth_user_id" not in client.session
    assert AuditLogEntry.objects.filter(action=AuditLogEntry.Action.SIGN_IN_LOCKED).exists()


def test_the_lock_holds_through_the_admin_sign_in_too(author, settings) -> None:
    for _ in range(settings.DESPATCH_SIGN_IN_ATTEMPTS):
        attempt(Client(), "ambassador", "wrong")
    client = Client()
    client.post("/admin/login/", {"username": "ambassador", "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_many_failures_from_one_address_lock_the_address(author, settings) -> None:
    settings.DESPATCH_SIGN_IN_ATTEMPTS_PER_ADDRESS = 3
    for number in range(3):
        attempt(Client(), f"nobody{number}", "guess", REMOTE_ADDR="203.0.113.9")
    assert attempt(Client(), "ambassador", PASSWORD, REMOTE_ADDR="203.0.113.9").status_code == 429
    assert attempt(Client(), "ambassador", PASSWORD, REMOTE_ADDR="198.51.100.7").status_code == 302


def test_a_deactivated_account_cannot_sign_in(author, client: Client) -> None:
    author.is_active = False
    author.save()
    assert attempt(client, "ambassador", PASSWORD).status_code == 200
    assert "_auth_user_id" not in client.session


def test_password_reset_by_email(author, client: Client) -> None:
    client.post(reverse("studio:password-reset"), {"email": "ambassador@example.org"})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/studio/password-reset/[^\s]+/)", mail.outbox[0].body).group(
        1
    )
    form = client.get(link, follow=True)
    assert form.status_code == 200
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a new long passphrase 42", "new_password2": "a new long passphrase 42"},
    )
    assert done["Location"] == reverse("studio:password-reset-complete")
    author.refresh_from_db()
    assert author.check_password("a new long passphrase 42")
    assert AuditLogEntry.objects.filter(
        action=AuditLogEntry.Action.PASSWORD_RESET, actor=author
    ).exists()


def test_password_reset_does_not_tell_who_has_an_account(client: Client) -> None:
    response = client.post(reverse("studio:password-reset"), {"email": "stranger@example.org"})
    assert response["Location"] == reverse("studio:password-reset-sent")
    assert mail.outbox == []


def test_people_without_a_role_are_kept_out_of_the_studio(client: Client) -> None:
    make_user(username="reader")
    attempt(client, "reader", PASSWORD)
    assert client.get(reverse("studio:dashboard")).status_code == 403
