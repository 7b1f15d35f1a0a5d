"""A synthetic corpus of any size, for benchmarks and for trying the site under load.

Planning and writing are separate. ``plan_corpus`` decides every blog, author,
tag and post from the arguments alone, touching no database, so the same
arguments always give the same corpus. ``seed_corpus`` writes a plan with bulk
inserts: a hundred thousand posts go in within minutes on SQLite, where saving
them one by one through ``Post.save`` would take hours.

Bulk inserts skip ``save()`` and the signals, so this module does by hand what
they would do: it renders each distinct body once and stores the HTML, freezes
the author's signature on each post, and recounts the blogs' tag clouds and
archive months at the end. Seeded posts are not announced: nobody is e-mailed
and no hub is pinged about a hundred thousand synthetic posts.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import Truncator, slugify

from despatch.blogs.models import AuthorProfile, Blog
from despatch.posts.models import Post, Tag, render_body
from despatch.posts.statistics import refresh_blog_statistics

from . import prose
from .hooks import COMMENT_SEEDING, SEARCH_INDEXING, optional_function

# Posts are spread over this many days before the day of seeding.
SPAN_DAYS = 5 * 365
# Large enough that SQLite spends its time writing rather than committing,
# small enough that the progress bar moves and memory stays flat.
BATCH_SIZE = 2000
# Post slugs leave room for a "-12345" suffix when two titles in a blog coincide.
SLUG_LENGTH = 180
EXCERPT_WORDS = 45

FIRST_NAMES = (
    "Amara", "Bilal", "Carmen", "Dawit", "Elin", "Farida", "Gareth", "Hana", "Ines", "Jonas",
    "Kwame", "Leila", "Mateo", "Nadia", "Oskar", "Priya", "Quentin", "Rosa", "Samuel", "Tamar",
    "Umar", "Vera", "Wanjiru", "Xavier", "Yasmin", "Zoltan", "Aiko", "Bruno", "Chiara", "Declan",
    "Esi", "Felix", "Grace", "Hugo", "Ishaan", "Julia", "Kiri", "Lukas", "Maya", "Nikolai",
)  # fmt: skip
LAST_NAMES = (
    "Abebe", "Bergström", "Castillo", "Devi", "Eriksen", "Fofana", "Gallagher", "Haddad",
    "Ivanova", "Jensen", "Kamau", "Lindqvist", "Mensah", "Nakamura", "Okafor", "Petrova",
    "Quispe", "Rahman", "Silva", "Tanaka", "Usman", "Varga", "Williams", "Xu", "Yilmaz",
    "Zapata", "Andersen", "Boateng", "Chen", "Dubois", "Evans", "Ferreira", "Gómez", "Hughes",
    "Iqbal", "Johansson", "Kowalski", "Lopez", "Mwangi", "Novak",
)  # fmt: skip
JOB_TITLES = (
    "Ambassador", "Deputy Head of Mission", "Head of Press and Public Affairs",
    "Trade Commissioner", "Political Counsellor", "Climate Attaché", "Consul",
    "Head of Engagement", "Development Director", "Science and Innovation Officer",
)  # fmt: skip
BLOG_NAMES = ("Notes from {place}", "Letters from {place}", "The {place} despatch", "{place} diary")
# Dark enough to pass the blogs' 4.5:1 contrast rule against white.
ACCENT_COLOURS = (
    "#1d4e89", "#7a1f3d", "#1f5f3a", "#5b2a86", "#8a3b00", "#00566b", "#6b4e00", "#3d4a5c",
)  # fmt: skip


def seeded_random(seed: int, purpose: str) -> random.Random:
    """Return the random generator for one part of the corpus.

    Each part draws from its own, so that changing how posts are drawn leaves
    the blogs, authors and bodies of a seed as they were.
    """
    # Reproducible text, not secrets: a seeded Mersenne Twister is what is wanted.
    return random.Random(f"{seed}:{purpose}")  # noqa: S311


class SeedConflictError(Exception):
    """The corpus would reuse a blog or author address that already exists."""


@dataclass(frozen=True)
class CorpusSpec:
    """What to seed: the command's arguments."""

    blogs: int
    posts: int
    authors: int = 10
    tags: int = 100
    tags_per_post: int = 3
    random_seed: int = 0
    distinct_bodies: int = 500

    def __post_init__(self) -> None:
        if self.blogs < 1 or self.authors < 1:
            raise ValueError("A corpus needs at least one blog and one author.")
        if self.posts < 0 or self.distinct_bodies < 1:
            raise ValueError("The number of posts cannot be negative, nor of bodies below one.")
        if not 0 <= self.tags_per_post <= self.tags:
            raise ValueError(
                f"Each post cannot carry {self.tags_per_post} distinct tags out of {self.tags}."
            )
        if len(FIRST_NAMES) * len(LAST_NAMES) < self.authors:
            raise ValueError(
                f"At most {len(FIRST_NAMES) * len(LAST_NAMES)} distinct authors can be made."
            )


@dataclass(frozen=True)
class PlannedBlog:
    name: str
    slug: str
    description: str
    accent_colour: str
    author_indexes: tuple[int, ...]


@dataclass(frozen=True)
class PlannedAuthor:
    display_name: str
    slug: str
    job_title: str
    location: str
    biography: str


@dataclass(frozen=True)
class PlannedPost:
    blog_index: int
    author_index: int
    title: str
    slug: str
    lede: str
    body_index: int
    tag_indexes: tuple[int, ...]
    published_at: datetime


@dataclass(frozen=True)
class CorpusPlan:
    """Every row of a corpus, decided in advance; posts are produced lazily, oldest first."""

    spec: CorpusSpec
    blogs: tuple[PlannedBlog, ...]
    authors: tuple[PlannedAuthor, ...]
    tag_names: tuple[str, ...]
    bodies: tuple[str, ...]

    def posts(self, *, now: datetime) -> Iterator[PlannedPost]:
        """Yield the posts in publication order, dated back from ``now``.

        Dates move with ``now`` so a corpus always ends on the day it is
        seeded; everything else depends on the spec alone.
        """
        spec = self.spec
        rng = seeded_random(spec.random_seed, "posts")
        moments = sorted(
            (
                (rng.randint(1, SPAN_DAYS), rng.randint(7 * 3600, 20 * 3600))
                for _ in range(spec.posts)
            ),
            key=lambda moment: (-moment[0], moment[1]),
        )
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        cumulative_weights = _popularity(len(self.tag_names), rng)
        tag_range = range(len(self.tag_names))
        used_slugs: list[set[str]] = [set() for _blog in self.blogs]
        for days_ago, seconds in moments:
            blog_index = rng.randrange(len(self.blogs))
            title = prose.title(rng)
            tag_indexes: list[int] = []
            while len(tag_indexes) < spec.tags_per_post:
                for tag in rng.choices(tag_range, cum_weights=cumulative_weights, k=2):
                    if tag not in tag_indexes and len(tag_indexes) < spec.tags_per_post:
                        tag_indexes.append(tag)
            yield PlannedPost(
                blog_index=blog_index,
                author_index=rng.choice(self.blogs[blog_index].author_indexes),
                title=title,
                slug=_unique_slug(title, used_slugs[blog_index]),
                lede=prose.lede(rng),
                body_index=rng.randrange(len(self.bodies)),
                tag_indexes=tuple(tag_indexes),
                published_at=midnight - timedelta(days=days_ago) + timedelta(seconds=seconds),
            )


@dataclass(frozen=True)
class SeedResult:
    blog_ids: tuple[int, ...]
    post_count: int
    tag_count: int


def _popularity(count: int, rng: random.Random) -> list[float]:
    """Cumulative weights that make a few tags common and most rare, as on real blogs."""
    weights = [1 / (rank + 1) ** 0.8 for rank in range(count)]
    rng.shuffle(weights)
    return list(itertools.accumulate(weights))


def _unique_slug(title: str, used: set[str]) -> str:
    base = slugify(title)[:SLUG_LENGTH].strip("-") or "post"
    slug = base
    for number in itertools.count(2):
        if slug not in used:
            break
        slug = f"{base}-{number}"
    used.add(slug)
    return slug


def plan_corpus(spec: CorpusSpec) -> CorpusPlan:
    """Decide the blogs, authors, tags and bodies of a corpus from its spec alone."""
    rng = seeded_random(spec.random_seed, "network")
    places = rng.sample(prose.PLACES, len(prose.PLACES))
    blog_places = [places[index % len(places)] for index in range(spec.blogs)]

    names = rng.sample(range(len(FIRST_NAMES) * len(LAST_NAMES)), spec.authors)
    authors = []
    for index, name_number in enumerate(names):
        first, last = divmod(name_number, len(LAST_NAMES))
        display_name = f"{FIRST_NAMES[first]} {LAST_NAMES[last]}"
        job_title = JOB_TITLES[index % len(JOB_TITLES)]
        place = blog_places[index % spec.blogs]
        authors.append(
            PlannedAuthor(
                display_name=display_name,
                slug=slugify(display_name),
                job_title=job_title,
                location=f"Embassy in {place}",
                biography=f"{display_name} is {job_title} at the embassy in {place}. "
                + prose.sentence(rng),
            )
        )

    blogs = []
    for index, place in enumerate(blog_places):
        round_number = index // len(places)
        name = BLOG_NAMES[index % len(BLOG_NAMES)].format(place=place)
        if round_number:
            name = f"{name} {round_number + 1}"
        # Authors are dealt to blogs like cards; with fewer authors than blogs,
        # some authors write for several blogs.
        dealt = tuple(range(index, spec.authors, spec.blogs)) or (index % spec.authors,)
        blogs.append(
            PlannedBlog(
                name=name,
                slug=slugify(name),
                description=f"The embassy in {place} on {rng.choice(prose.TOPICS)}, "
                f"{rng.choice(prose.TOPICS)} and the work of a modern mission.",
                accent_colour=ACCENT_COLOURS[index % len(ACCENT_COLOURS)],
                author_indexes=dealt,
            )
        )

    body_rng = seeded_random(spec.random_seed, "bodies")
    bodies = tuple(prose.body(body_rng) for _ in range(min(spec.distinct_bodies, spec.posts) or 1))
    return CorpusPlan(
        spec=spec,
        blogs=tuple(blogs),
        authors=tuple(authors),
        tag_names=tuple(prose.tag_names(spec.tags)),
        bodies=bodies,
    )


def find_conflicts(plan: CorpusPlan) -> list[str]:
    """Return the blog and author addresses of ``plan`` that are already taken."""
    blog_slugs = [blog.slug for blog in plan.blogs]
    author_slugs = [author.slug for author in plan.authors]
    taken = [
        f"blog “{slug}”"
        for slug in Blog.objects.filter(slug__in=blog_slugs).values_list("slug", flat=True)
    ]
    taken += [
        f"author “{slug}”"
        for slug in AuthorProfile.objects.filter(slug__in=author_slugs).values_list(
            "slug", flat=True
        )
    ]
    return sorted(taken)


def _lede_html(lede: str) -> str:
    if prose.is_plain_text(lede):
        return f"<p>{escape(lede)}</p>\n"
    return render_body(lede)


@transaction.atomic
def _create_network(plan: CorpusPlan) -> tuple[list[Blog], list[AuthorProfile], list[Tag]]:
    """Create the blogs and authors, and the tags that do not exist yet."""
    authors = AuthorProfile.objects.bulk_create(
        AuthorProfile(
            display_name=author.display_name,
            slug=author.slug,
            job_title=author.job_title,
            location=author.location,
            biography=author.biography,
        )
        for author in plan.authors
    )
    first_position = (
        Blog.objects.order_by("-position").values_list("position", flat=True).first() or 0
    ) + 1
    blogs = Blog.objects.bulk_create(
        Blog(
            name=blog.name,
            slug=blog.slug,
            description=blog.description,
            accent_colour=blog.accent_colour,
            position=first_position + index,
        )
        for index, blog in enumerate(plan.blogs)
    )
    Blog.authors.through.objects.bulk_create(
        Blog.authors.through(blog_id=blogs[index].pk, authorprofile_id=authors[author_index].pk)
        for index, blog in enumerate(plan.blogs)
        for author_index in blog.author_indexes
    )
    # Tags are shared across the network: a second corpus, or the demo
    # network, reuses tags whose address already exists.
    slugs = [slugify(name) for name in plan.tag_names]
    existing = Tag.objects.in_bulk(slugs, field_name="slug")
    Tag.objects.bulk_create(
        Tag(name=name, slug=slug)
        for name, slug in zip(plan.tag_names, slugs, strict=True)
        if slug not in existing
    )
    by_slug = Tag.objects.in_bulk(slugs, field_name="slug")
    return blogs, authors, [by_slug[slug] for slug in slugs]


def seed_corpus(
    spec: CorpusSpec,
    *,
    now: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SeedResult:
    """Write the corpus of ``spec`` into the database and return what was made.

    ``progress`` is called with the number of posts written so far and the
    total after every batch. Raises ``SeedConflictError`` before writing
    anything if a blog or author address of the corpus is already taken.
    """
    plan = plan_corpus(spec)
    conflicts = find_conflicts(plan)
    if conflicts:
        raise SeedConflictError(
            f"These addresses already exist: {', '.join(conflicts[:5])}"
            + (f" and {len(conflicts) - 5} more" if len(conflicts) > 5 else "")
            + "."
        )
    blogs, authors, tags = _create_network(plan)
    bodies_html = [render_body(body) for body in plan.bodies]
    Through = Post.tags.through
    written = 0
    planned_posts = plan.posts(now=now or timezone.now())
    while batch := list(itertools.islice(planned_posts, BATCH_SIZE)):
        with transaction.atomic():
            posts = Post.objects.bulk_create(
                _post_row(planned, plan, blogs, authors, bodies_html) for planned in batch
            )
            Through.objects.bulk_create(
                Through(post_id=post.pk, tag_id=tags[tag_index].pk)
                for post, planned in zip(posts, batch, strict=True)
                for tag_index in planned.tag_indexes
            )
        written += len(batch)
        if progress:
            progress(written, spec.posts)
    blog_ids = tuple(blog.pk for blog in blogs)
    refresh_blog_statistics(blog_ids=blog_ids)
    return SeedResult(blog_ids=blog_ids, post_count=written, tag_count=len(tags))


def _post_row(
    planned: PlannedPost,
    plan: CorpusPlan,
    blogs: list[Blog],
    authors: list[AuthorProfile],
    bodies_html: list[str],
) -> Post:
    author = authors[planned.author_index]
    return Post(
        blog_id=blogs[planned.blog_index].pk,
        author_id=author.pk,
        title=planned.title,
        slug=planned.slug,
        body_source=f"{planned.lede}\n\n{plan.bodies[planned.body_index]}",
        body_html=_lede_html(planned.lede) + bodies_html[planned.body_index],
        # Every lede is longer than an excerpt, so the excerpt is its opening.
        excerpt=Truncator(planned.lede).words(EXCERPT_WORDS, truncate="…"),
        status=Post.Status.PUBLISHED,
        published_at=planned.published_at,
        # What ``freeze_signature`` does on publication.
        author_job_title=author.job_title,
        author_location=author.location,
    )


def seed_comments(*, result: SeedResult, per_post: int, random_seed: int) -> int | None:
    """Add comments to the seeded posts through the conversations app.

    Returns how many were made, or ``None`` while that app offers no comment
    seeding (see ``hooks``).
    """
    seeder = optional_function(*COMMENT_SEEDING)
    if seeder is None:
        return None
    # Only what a comment needs from its post: 100,000 full bodies would not fit in memory.
    posts = (
        Post.objects.filter(blog_id__in=result.blog_ids)
        .only("id", "blog_id", "published_at")
        .order_by("id")
    )
    return seeder(posts=posts, per_post=per_post, rng=seeded_random(random_seed, "comments"))


def index_for_search(*, result: SeedResult) -> int | None:
    """Add the seeded posts to the search index through the search app.

    Returns how many were indexed, or ``None`` while that app offers no bulk
    indexing (see ``hooks``).
    """
    indexer = optional_function(*SEARCH_INDEXING)
    if indexer is None:
        return None
    return indexer(posts=Post.objects.filter(blog_id__in=result.blog_ids).order_by("id"))
