"""Roles per blog, the permissions they bring, and the audit log that records changes (W1, W6)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from despatch.accounts import roles
from despatch.accounts.models import AuditLogEntry, Membership, Role
from despatch.posts.models import PublishingPolicy
from tests.factories import make_blog, make_user
from tests.studio.conftest import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return make_user(username="admin", is_superuser=True, is_staff=True)


def test_an_editor_of_one_blog_is_nobody_on_another() -> None:
    blog, other = make_blog(), make_blog()
    user = make_user()
    Membership.objects.create(user=user, blog=blog, role=Role.EDITOR)
    assert roles.roles_on(user, blog.pk) == {Role.EDITOR, Role.AUTHOR, Role.CONTRIBUTOR}
    assert roles.roles_on(user, other.pk) == frozenset()


def test_moderators_hold_the_moderation_permission_through_their_role() -> None:
    blog, other = make_blog(), make_blog()
    moderator, author = make_user(), make_user()
    Membership.objects.create(user=moderator, blog=blog, role=Role.MODERATOR)
    Membership.objects.create(user=author, blog=blog, role=Role.AUTHOR)
    assert moderator.has_perm("conversations.moderate_comments")
    assert moderator.has_perm("conversations.moderate_comments", blog)
    assert not moderator.has_perm("conversations.moderate_comments", other)
    assert not author.has_perm("conversations.moderate_comments")


def test_roles_are_given_and_taken_in_the_studio_and_logged(admin) -> None:
    blog = make_blog()
    person = make_user(username="newcomer")
    client = sign_in(Client(), admin)
    url = reverse("studio:person", kwargs={"pk": person.pk})
    client.post(url, {"action": "roles", f"roles-{blog.pk}": ["author", "moderator"]})
    assert set(Membership.objects.filter(user=person).values_list("role", flat=True)) == {
        "author",
        "moderator",
    }
    client.post(url, {"action": "roles", f"roles-{blog.pk}": ["author"]})
    actions = list(
        AuditLogEntry.objects.filter(subject_id=str(person.pk)).values_list(
            "action", "details__role"
        )
    )
    assert (AuditLogEntry.Action.ROLE_GRANT, "author") in actions
    assert (AuditLogEntry.Action.ROLE_REVOKE, "moderator") in actions


def test_making_an_admin_is_logged(admin) -> None:
    person = make_user()
    client = sign_in(Client(), admin)
    client.post(reverse("studio:person", kwargs={"pk": person.pk}), {"action": "make-admin"})
    person.refresh_from_db()
    assert person.is_superuser and person.is_staff
    assert AuditLogEntry.objects.filter(
        action=AuditLogEntry.Action.ADMIN_GRANT, actor=admin
    ).exists()


def test_a_blogs_settings_change_is_logged_with_what_changed(admin) -> None:
    blog = make_blog(name="Old name")
    client = sign_in(Client(), admin)
    client.post(
        reverse("studio:blog-settings", kwargs={"blog_slug": blog.slug}),
        {
            "name": "New name",
            "description": "",
            "language": "en",
            "accent_colour": "#1d4e89",
            "authors_may_publish": "on",
            "historical_note": "",
        },
    )
    entry = AuditLogEntry.objects.get(action=AuditLogEntry.Action.BLOG_SETTINGS)
    assert entry.details["name"] == {"from": "Old name", "to": "New name"}
    assert entry.details["authors_may_publish"] == {"from": False, "to": True}
    assert PublishingPolicy.objects.get(blog=blog).authors_may_publish


def test_a_low_contrast_accent_colour_is_refused(admin) -> None:
    blog = make_blog()
    client = sign_in(Client(), admin)
    response = client.post(
        reverse("studio:blog-settings", kwargs={"blog_slug": blog.slug}),
        {
            "name": "Blog",
            "language": "en",
            "accent_colour": "#ffff00",
        },
    )
    assert response.status_code == 400


def test_only_admins_read_the_audit_log_and_manage_people() -> None:
    blog = make_blog()
    editor = make_user()
    Membership.objects.create(user=editor, blog=blog, role=Role.EDITOR)
    client = sign_in(Client(), editor)
    for name in ("studio:audit", "studio:people", "studio:blogs"):
        assert client.get(reverse(name)).status_code == 403
    assert (
        client.get(reverse("studio:blog-settings", kwargs={"blog_slug": blog.slug})).status_code
        == 403
    )


def test_the_audit_log_page_lists_entries_for_admins(admin) -> None:
    from despatch.accounts.audit import audit_record

    audit_record(
        actor=admin, action=AuditLogEntry.Action.PUBLISH, subject=make_blog(name="Recorded")
    )
    page = sign_in(Client(), admin).get(reverse("studio:audit"))
    assert page.status_code == 200
    assert "Recorded" in page.content.decode()


def test_an_admin_adds_a_person_who_gets_a_link_to_choose_a_password(admin) -> None:
    from django.core import mail

    client = sign_in(Client(), admin)
    response = client.post(
        reverse("studio:people"),
        {
            "username": "newambassador",
            "email": "new@example.org",
            "first_name": "Nadia",
        },
    )
    person = Membership._meta.get_field("user").related_model.objects.get(username="newambassador")
    assert response["Location"] == reverse("studio:person", kwargs={"pk": person.pk})
    assert len(mail.outbox) == 1 and "/studio/password-reset/" in mail.outbox[0].body
    assert AuditLogEntry.objects.filter(
        action=AuditLogEntry.Action.USER_CREATE, actor=admin
    ).exists()
