"""Staff accounts unused for a configurable period are deactivated (W6)."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from despatch.accounts.models import AuditLogEntry, Membership, Role
from despatch.accounts.tasks import deactivate_inactive_staff
from tests.factories import make_blog, make_user

pytestmark = pytest.mark.django_db


def staff(days_since_sign_in: int | None, **fields):
    user = make_user(**fields)
    if days_since_sign_in is None:
        user.date_joined = timezone.now() - timedelta(days=200)
    else:
        user.last_login = timezone.now() - timedelta(days=days_since_sign_in)
    user.save()
    return user


@pytest.fixture
def people():
    blog = make_blog()
    stale_author = staff(120)
    Membership.objects.create(user=stale_author, blog=blog, role=Role.AUTHOR)
    fresh_editor = staff(10)
    Membership.objects.create(user=fresh_editor, blog=blog, role=Role.EDITOR)
    never_came = staff(None)
    Membership.objects.create(user=never_came, blog=blog, role=Role.CONTRIBUTOR)
    stale_admin = staff(95, is_superuser=True, is_staff=True)
    stale_reader = staff(400)  # no role: not staff
    return {
        "stale_author": stale_author,
        "fresh_editor": fresh_editor,
        "never_came": never_came,
        "stale_admin": stale_admin,
        "stale_reader": stale_reader,
    }


def active(user) -> bool:
    user.refresh_from_db()
    return user.is_active


def test_the_command_deactivates_staff_unused_for_ninety_days(people) -> None:
    output = StringIO()
    call_command("deactivate_inactive_staff", stdout=output)
    assert not active(people["stale_author"])
    assert not active(people["never_came"])
    assert not active(people["stale_admin"])
    assert active(people["fresh_editor"])
    assert active(people["stale_reader"])
    assert "Deactivated 3 account(s)" in output.getvalue()
    assert AuditLogEntry.objects.filter(action=AuditLogEntry.Action.DEACTIVATE).count() == 3


def test_a_dry_run_changes_nothing(people) -> None:
    output = StringIO()
    call_command("deactivate_inactive_staff", "--dry-run", stdout=output)
    assert active(people["stale_author"])
    assert "Would deactivate 3 account(s)" in output.getvalue()


def test_the_period_is_configurable(people, settings) -> None:
    settings.DESPATCH_STAFF_INACTIVE_DAYS = 5
    assert deactivate_inactive_staff.call() == 4
    assert not active(people["fresh_editor"])


def test_the_worker_runs_it_daily(settings) -> None:
    assert (
        settings.DESPATCH_PERIODIC_TASKS["despatch.accounts.tasks.deactivate_inactive_staff"]
        == 24 * 60 * 60
    )
