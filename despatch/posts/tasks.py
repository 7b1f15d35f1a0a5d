"""Background work of the publishing lifecycle, run by ``despatch worker``."""

from __future__ import annotations

from django_tasks import task

from . import publishing


@task()
def announce_post(post_id: int) -> bool:
    """Do a newly live post's side effects, unless they are done already."""
    return publishing.post_announce(post_id=post_id)


@task()
def announce_due_posts() -> int:
    """The worker's sweep: announce scheduled posts whose time has come, and any missed."""
    return publishing.announce_due_posts()
