"""Scheduling (W5): live on the first read after its time, side effects done once by the worker."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from despatch.posts.models import ArchiveMonth, Post
from despatch.posts.publishing import announce_due_posts, post_announce, post_publish
from despatch.posts.signals import post_published
from despatch.studio.management.commands.worker import enqueue_due_periodic_tasks
from tests.factories import make_post

from .conftest import Team

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def announcements():
    """Every ``post_published`` signal sent during the test, by post id."""
    seen: list[int] = []

    def receiver(sender, post, **kwargs):
        seen.append(post.pk)

    post_published.connect(receiver, dispatch_uid="test-announcements")
    yield seen
    post_published.disconnect(dispatch_uid="test-announcements")


def schedule(team: Team, *, minutes: int) -> Post:
    post = make_post(
        blog=team.blog,
        author=team.editor.author_profile,
        status=Post.Status.DRAFT,
        title="Scheduled statement",
    )
    return post_publish(post=post, by=team.editor, at=timezone.now() + timedelta(minutes=minutes))


def let_time_pass(post: Post) -> None:
    """Move the post's time into the past, as the clock would."""
    Post.objects.filter(pk=post.pk).update(published_at=timezone.now() - timedelta(seconds=5))
    post.refresh_from_db()


@pytest.mark.django_db
def test_a_scheduled_post_is_live_on_the_first_read_after_its_time_with_no_worker(
    team: Team, client: Client
) -> None:
    post = schedule(team, minutes=30)
    assert client.get(post.get_absolute_url()).status_code == 404
    let_time_pass(post)
    assert post.status == Post.Status.SCHEDULED, "no worker ran"
    assert client.get(post.get_absolute_url()).status_code == 200
    assert "Scheduled statement" in client.get(team.blog.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_the_announcement_is_made_once_however_often_it_is_asked_for(
    team: Team, announcements
) -> None:
    post = schedule(team, minutes=30)
    assert announce_due_posts() == 0, "not before its time"
    let_time_pass(post)
    assert announce_due_posts() == 1
    assert announce_due_posts() == 0
    assert post_announce(post_id=post.pk) is False
    assert announcements == [post.pk]
    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED
    assert not post.awaiting_announcement


@pytest.mark.django_db
def test_the_announcement_counts_the_post_in_the_archive_and_tells_the_author(team: Team) -> None:
    post = schedule(team, minutes=30)
    let_time_pass(post)
    mail.outbox.clear()
    announce_due_posts()
    when = timezone.localtime(post.published_at)
    assert (
        ArchiveMonth.objects.get(blog=team.blog, year=when.year, month=when.month).post_count == 1
    )
    assert [m.subject for m in mail.outbox] == ["Now live: “Scheduled statement”"]


@pytest.mark.django_db
def test_a_failing_receiver_leaves_the_announcement_owed_for_the_next_sweep(team: Team) -> None:
    post = schedule(team, minutes=30)
    let_time_pass(post)

    def broken(sender, post, **kwargs):
        raise RuntimeError("feed hub unreachable")

    post_published.connect(broken, dispatch_uid="test-broken")
    try:
        with pytest.raises(RuntimeError):
            post_announce(post_id=post.pk)
    finally:
        post_published.disconnect(dispatch_uid="test-broken")
    assert Post.objects.get(pk=post.pk).awaiting_announcement
    assert post_announce(post_id=post.pk) is True


@pytest.mark.django_db
def test_an_unpublished_post_is_never_announced(team: Team, announcements) -> None:
    from despatch.posts.publishing import post_unpublish

    post = schedule(team, minutes=30)
    post_unpublish(post=post, by=team.editor)
    let_time_pass(post)
    assert announce_due_posts() == 0
    assert announcements == []


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_announce_once(team: Team, announcements) -> None:
    """Two sweeps racing for the same post: the conditional claim lets exactly one through."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite's in-memory test database locks whole tables; run on PostgreSQL.")
    post = schedule(team, minutes=30)
    let_time_pass(post)
    barrier = threading.Barrier(2)
    results: list[int] = []

    def sweep() -> None:
        try:
            barrier.wait()
            results.append(announce_due_posts())
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [0, 1]
    assert announcements == [post.pk]


@pytest.mark.django_db(transaction=True)
def test_the_worker_does_queued_work_once_and_survives_a_restart(
    team: Team, settings, announcements
) -> None:
    """With the database backend: publishing queues the announcement; `despatch worker` does it;
    a worker killed mid-task (its task left RUNNING) is made good by the next run's sweep."""
    settings.TASKS = DATABASE_TASKS
    post = make_post(blog=team.blog, author=team.editor.author_profile, status=Post.Status.DRAFT)
    post_publish(post=post, by=team.editor)
    queued = DBTaskResult.objects.filter(task_path="despatch.posts.tasks.announce_post")
    assert queued.count() == 1 and announcements == []

    # A worker claims the task and dies before doing it.
    queued.update(status="RUNNING", worker_ids=["killed"])
    call_command("worker", batch=True, startup_delay=False, interval=0, verbosity=0)
    assert announcements == [post.pk], "the restart's sweep announced it"

    call_command("worker", batch=True, startup_delay=False, interval=0, verbosity=0)
    assert announcements == [post.pk], "and never again"


@pytest.mark.django_db
def test_periodic_tasks_are_enqueued_once_per_interval(settings) -> None:
    settings.TASKS = DATABASE_TASKS
    first = enqueue_due_periodic_tasks()
    assert set(first) == set(settings.DESPATCH_PERIODIC_TASKS)
    assert enqueue_due_periodic_tasks() == []
    later = timezone.now() + timedelta(seconds=settings.DESPATCH_PERIODIC_TASKS[first[0]] + 1)
    assert first[0] in enqueue_due_periodic_tasks(now=later)


@pytest.mark.django_db
def test_the_worker_refuses_to_run_without_the_database_backend() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="database"):
        call_command("worker", batch=True)
