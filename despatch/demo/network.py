"""The demo network: six blogs, a dozen authors and some fifty posts, written for Despatch.

The blogs and authors are described here; the posts live as Markdown files
under ``content/<blog slug>/``, one per post, so they read (and can be
corrected) as the articles they are. Each file starts with a header between
two ``---`` lines:

    ---
    title: Welcome to Global conversations
    author: harriet-osei
    days_ago: 540                 # or  date: 2013-03-08   status: draft   scheduled_in_days: 5
    time: 09:30                   # optional, the hour of publication
    tags: Digital diplomacy, Comments
    best_bit: 1                   # optional: among the blog's best bits, in this order
    network_best_bit: 1           # optional: among the network's best bits, in this order
    language: es                  # optional: when the post is not in the blog's language
    ---

Dates are counted back from the moment the network is built, so the demo
always looks current; for the same reason posts link to each other as
``[text](post:blog-slug/post-slug)``, resolved when the network is built.

Posts are published through ``post_publish``, as an editor would, so each
freezes its author's signature; an author whose job changed has the earlier
title applied to the posts written before the change (R10).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from despatch.blogs.models import AuthorProfile, Blog, HistoricalPeriod
from despatch.posts.models import Post, Tag
from despatch.posts.publishing import post_publish
from despatch.posts.statistics import refresh_blog_statistics

from .images import author_photo, blog_top_image

CONTENT_DIR = Path(__file__).resolve().parent / "content"
HEADER = re.compile(r"\A---\n(?P<header>.*?)\n---\n(?P<body>.*)\Z", re.DOTALL)
# A link to another demo post by blog and post slug, ``[text](post:blog-slug/post-slug)``:
# post addresses contain the month of publication, which moves with the day of building.
POST_LINK = re.compile(r"\]\(post:(?P<blog>[\w-]+)/(?P<slug>[^)\s]+)\)")


@dataclass(frozen=True)
class EarlierSignature:
    """The job title and location an author signed with until a change of post.

    The change is on a fixed date, or ``days_ago`` before the network is built.
    """

    job_title: str
    location: str
    until: date | None = None
    days_ago: int | None = None

    def changed_on(self, now: datetime) -> date:
        if self.until is not None:
            return self.until
        return (now - timedelta(days=self.days_ago or 0)).date()


@dataclass(frozen=True)
class AuthorSpec:
    slug: str
    display_name: str
    job_title: str
    location: str
    biography: str
    colour: str
    initials: str = ""
    website: str = ""
    fediverse_handle: str = ""
    bluesky_handle: str = ""
    earlier: EarlierSignature | None = None


@dataclass(frozen=True)
class BlogSpec:
    slug: str
    name: str
    description: str
    language: str
    accent_colour: str
    top_image_alt: str
    authors: tuple[str, ...]
    is_historical: bool = False
    historical_note: str = ""


@dataclass
class PostFile:
    """One post as written in ``content/``: its header fields and its Markdown."""

    path: Path
    fields: dict[str, str]
    body: str
    tags: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.fields["title"]

    @property
    def slug(self) -> str:
        # Arabic titles have no ASCII letters to make an address from; their
        # posts keep Arabic addresses, which Post.slug allows.
        return (
            self.fields.get("slug")
            or slugify(self.title)
            or slugify(self.title, allow_unicode=True)
        )

    def published_at(self, now: datetime) -> datetime | None:
        """When the post is (or will be) published; ``None`` for a draft."""
        if self.fields.get("status") == "draft":
            return None
        hour, minute = (int(part) for part in self.fields.get("time", "10:00").split(":"))
        if "date" in self.fields:
            day = date.fromisoformat(self.fields["date"])
            return datetime.combine(day, time(hour, minute), tzinfo=now.tzinfo)
        if "scheduled_in_days" in self.fields:
            day = (now + timedelta(days=int(self.fields["scheduled_in_days"]))).date()
            return datetime.combine(day, time(hour, minute), tzinfo=now.tzinfo)
        day = (now - timedelta(days=int(self.fields["days_ago"]))).date()
        return datetime.combine(day, time(hour, minute), tzinfo=now.tzinfo)


AUTHORS = (
    AuthorSpec(
        slug="harriet-osei",
        display_name="Harriet Osei",
        job_title="Head of Engagement",
        location="Digital Diplomacy, London",
        colour="#1d4e89",
        biography=(
            "Harriet leads the team that runs Global conversations: the editors, moderators "
            "and producers who help officials write in public and answer the people who write "
            "back. Before the ministry she was a local newspaper reporter in Leeds, and she "
            "still believes every sentence should earn its place."
        ),
        website="https://harriet.example.org",
        fediverse_handle="@harriet@social.example",
    ),
    AuthorSpec(
        slug="tomas-ferrandiz",
        display_name="Tomás Ferrándiz",
        job_title="Digital Producer",
        location="Digital Diplomacy, London",
        colour="#5b2a86",
        biography=(
            "Tomás makes the network's films, captions every one of them, and looks after our "
            "accounts on the fediverse. He grew up between Valencia and Bristol and writes for "
            "us in English and Spanish."
        ),
        fediverse_handle="@tomas@social.example",
        bluesky_handle="tomas.example.com",
    ),
    AuthorSpec(
        slug="ruth-mbeki-lane",
        display_name="Ruth Mbeki-Lane",
        job_title="Lead Moderator",
        location="Digital Diplomacy, London",
        colour="#1f5f3a",
        biography=(
            "Ruth reads more comments than anyone else on the network. She wrote our house "
            "rules, trains new moderators, and answers appeals when a comment is turned down."
        ),
    ),
    AuthorSpec(
        slug="catriona-mackay",
        display_name="Catriona Mackay",
        job_title="Ambassador for Climate and the Arctic",
        location="Roving, based in Edinburgh",
        colour="#00566b",
        biography=(
            "Catriona is the ministry's roving Ambassador for Climate and the Arctic. She was "
            "Ambassador to Norway until last year, and before that a negotiator on fisheries "
            "and oceans. She walks, sails and reads weather charts for pleasure."
        ),
        website="https://catriona.example.org",
        fediverse_handle="@catriona@social.example",
        # She changed jobs seven months before the demo is built: her earlier
        # posts stay signed "Ambassador to Norway".
        earlier=EarlierSignature(
            job_title="Ambassador to Norway", location="Embassy in Oslo", days_ago=210
        ),
    ),
    AuthorSpec(
        slug="aleksi-virtanen",
        display_name="Aleksi Virtanen",
        job_title="Science and Innovation Officer",
        location="Embassy in Helsinki",
        colour="#3d4a5c",
        biography=(
            "Aleksi is a glaciologist who swapped the field for the embassy, where he connects "
            "polar researchers across the Nordic countries. He writes in English and Russian."
        ),
        fediverse_handle="@aleksi@science.example",
    ),
    AuthorSpec(
        slug="claire-delorme",
        display_name="Claire Delorme",
        job_title="Ambassadrice au Sénégal",
        location="Ambassade à Dakar",
        colour="#7a1f3d",
        biography=(
            "Claire Delorme est ambassadrice au Sénégal et en Gambie depuis l’an dernier. "
            "Auparavant, elle a servi à Rabat, à Bruxelles et à New York. Elle écrit ici sur "
            "la vie de l’ambassade, la mer, la jeunesse et la culture sénégalaises."
        ),
        fediverse_handle="@claire@social.example",
    ),
    AuthorSpec(
        slug="moussa-ndiaye",
        display_name="Moussa Ndiaye",
        job_title="Chargé de presse et de communication",
        location="Ambassade à Dakar",
        colour="#8a3b00",
        biography=(
            "Moussa répond à vos questions sur les bourses, les visas et les événements de "
            "l’ambassade. Passionné de musique et de cinéma, il anime aussi nos directs."
        ),
    ),
    AuthorSpec(
        slug="layla-haddad",
        display_name="ليلى حداد",
        initials="LH",
        job_title="السفيرة لدى المملكة الأردنية الهاشمية",
        location="السفارة في عمّان",
        colour="#6b4e00",
        biography=(
            "ليلى حداد سفيرة لدى الأردن منذ عامين. عملت قبل ذلك في بيروت والقاهرة ونيويورك، "
            "وتكتب هنا عن الماء والتعليم والثقافة وعن الصداقة بين بلدينا."
        ),
        website="https://layla.example.org",
    ),
    AuthorSpec(
        slug="karim-mansour",
        display_name="كريم منصور",
        initials="KM",
        job_title="مسؤول الإعلام والتواصل",
        location="السفارة في عمّان",
        colour="#1d4e89",
        biography=(
            "كريم منصور مسؤول الإعلام في السفارة. يجيب عن أسئلتكم حول المنح الدراسية "
            "والفعاليات الثقافية، ويحب التصوير والمشي في جبال عجلون."
        ),
    ),
    AuthorSpec(
        slug="nkechi-adeyemi",
        display_name="Nkechi Adeyemi",
        job_title="Director, Human Rights and Democracy",
        location="Ministry of Foreign Affairs, London",
        colour="#7a1f3d",
        biography=(
            "Nkechi directs the ministry's work on human rights and democracy: the annual "
            "report, our campaigns against the death penalty and for media freedom, and the "
            "support we give to human rights defenders. She trained as a barrister."
        ),
        website="https://nkechi.example.org",
        fediverse_handle="@nkechi@social.example",
    ),
    AuthorSpec(
        slug="gavin-pryce",
        display_name="Gavin Pryce",
        job_title="Head of Consular Crisis Response",
        location="Ministry of Foreign Affairs, London",
        colour="#1f5f3a",
        biography=(
            "Gavin runs the team that answers when things go badly wrong for our citizens "
            "abroad: earthquakes, arrests, accidents and bereavements. He has worked on "
            "consular desks in Bangkok, Lagos and Lima."
        ),
    ),
    AuthorSpec(
        slug="margaret-thorne",
        display_name="Margaret Thorne",
        job_title="Former Permanent Representative",
        location="Retired, Geneva and Cumbria",
        colour="#3d4a5c",
        biography=(
            "Margaret Thorne represented the country at the United Nations in Geneva from "
            "2011 to 2014. She has since retired, and divides her time between Geneva and "
            "the Cumbrian fells."
        ),
        earlier=EarlierSignature(
            job_title="Permanent Representative to the United Nations",
            location="Mission to the United Nations, Geneva",
            until=date(2014, 9, 1),
        ),
    ),
)

AUTHOR_SPECS = {spec.slug: spec for spec in AUTHORS}

BLOGS = (
    BlogSpec(
        slug="digital-diplomacy",
        name="Digital diplomacy",
        description=(
            "A blog about digital diplomacy: how a foreign ministry listens, explains and "
            "answers in public, by the team that runs this network."
        ),
        language="en",
        accent_colour="#1d4e89",
        top_image_alt="Abstract illustration: layers of blue waves under a pale sun.",
        authors=("harriet-osei", "tomas-ferrandiz", "ruth-mbeki-lane"),
    ),
    BlogSpec(
        slug="thawing-ground",
        name="Thawing ground",
        description=(
            "Notes on climate and the Arctic from the ministry's roving ambassador, from "
            "Svalbard to the negotiating rooms."
        ),
        language="en",
        accent_colour="#00566b",
        top_image_alt="Abstract illustration: teal bands like sea ice under a low sun.",
        authors=("catriona-mackay", "aleksi-virtanen"),
    ),
    BlogSpec(
        slug="carnets-de-dakar",
        name="Carnets de Dakar",
        description=(
            "Le blog de l’ambassade au Sénégal : la mer, la jeunesse, la culture et le "
            "travail quotidien d’une ambassade, racontés en français."
        ),
        language="fr",
        accent_colour="#8a3b00",
        top_image_alt="Illustration abstraite : des dunes ocre sous un soleil pâle.",
        authors=("claire-delorme", "moussa-ndiaye"),
    ),
    BlogSpec(
        slug="from-amman",
        name="من عمّان",
        description="مدونة السفارة في عمّان: عن الماء والتعليم والثقافة والصداقة بين بلدينا.",
        language="ar",
        accent_colour="#6b4e00",
        top_image_alt="رسم تجريدي: تلال ذهبية متموجة تحت شمس شاحبة.",
        authors=("layla-haddad", "karim-mansour"),
    ),
    BlogSpec(
        slug="duty-of-care",
        name="Duty of care",
        description=(
            "Human rights and consular work: how the ministry stands up for rights "
            "worldwide, and looks after its citizens when things go wrong abroad."
        ),
        language="en",
        accent_colour="#7a1f3d",
        top_image_alt="Abstract illustration: deep red hills fading into a pale sky.",
        authors=("nkechi-adeyemi", "gavin-pryce"),
    ),
    BlogSpec(
        slug="letters-from-geneva",
        name="Letters from Geneva",
        description=(
            "The mission to the United Nations in Geneva, 2011 to 2014: human rights, "
            "humanitarian law and disarmament, seen from the Palais des Nations."
        ),
        language="en",
        accent_colour="#3d4a5c",
        top_image_alt="Abstract illustration: slate-grey ridges like a lake under mountains.",
        authors=("margaret-thorne",),
        is_historical=True,
        historical_note=(
            "Published under a previous government. This blog is no longer updated and is "
            "kept as a record."
        ),
    ),
)

# The network-wide historical period: posts from the last government's final
# years, so the oldest posts of the live blogs carry its banner.
PREVIOUS_GOVERNMENT_DAYS_AGO = (4 * 365, 490)


@dataclass(frozen=True)
class DemoNetwork:
    """What ``build_demo_network`` made, for the command to report."""

    blogs: int
    authors: int
    posts: int
    tags: int


def read_post_files(blog_slug: str) -> list[PostFile]:
    """Parse the Markdown files of one blog's posts, in file-name order."""
    posts = []
    for path in sorted((CONTENT_DIR / blog_slug).glob("*.md")):
        match = HEADER.match(path.read_text(encoding="utf-8"))
        if not match:
            raise ValueError(f"{path} does not start with a --- header.")
        fields = {}
        for line in match["header"].splitlines():
            key, _colon, value = line.partition(":")
            fields[key.strip()] = value.strip()
        tags = [name.strip() for name in fields.pop("tags", "").split(",") if name.strip()]
        posts.append(PostFile(path=path, fields=fields, body=match["body"].strip(), tags=tags))
    return posts


def _tag(name: str, cache: dict[str, Tag]) -> Tag:
    slug = slugify(name) or slugify(name, allow_unicode=True)
    if slug not in cache:
        cache[slug], _created = Tag.objects.get_or_create(slug=slug, defaults={"name": name})
    return cache[slug]


def _create_author(spec: AuthorSpec) -> AuthorProfile:
    author = AuthorProfile(
        slug=spec.slug,
        display_name=spec.display_name,
        job_title=spec.job_title,
        location=spec.location,
        biography=spec.biography,
        website=spec.website,
        fediverse_handle=spec.fediverse_handle,
        bluesky_handle=spec.bluesky_handle,
    )
    author.full_clean()
    author.photo.save(
        f"{spec.slug}.png",
        author_photo(
            initials=spec.initials or author.initials, colour=spec.colour, name=f"{spec.slug}.png"
        ),
        save=False,
    )
    author.save()
    return author


def _create_blog(spec: BlogSpec, authors: dict[str, AuthorProfile], position: int) -> Blog:
    blog = Blog(
        slug=spec.slug,
        name=spec.name,
        description=spec.description,
        language=spec.language,
        accent_colour=spec.accent_colour,
        top_image_alt=spec.top_image_alt,
        position=position,
        is_historical=spec.is_historical,
        historical_note=spec.historical_note,
    )
    blog.full_clean()
    blog.top_image.save(
        f"{spec.slug}.jpg",
        blog_top_image(colour=spec.accent_colour, seed=spec.slug, name=f"{spec.slug}.jpg"),
        save=False,
    )
    blog.save()
    blog.authors.set([authors[slug] for slug in spec.authors])
    return blog


def resolve_post_links(body: str, addresses: dict[tuple[str, str], str]) -> str:
    """Replace ``post:blog-slug/post-slug`` link targets with the posts' addresses."""

    def address(match: re.Match[str]) -> str:
        key = (match["blog"], match["slug"])
        if key not in addresses:
            raise ValueError(f"No published demo post at post:{key[0]}/{key[1]}.")
        return f"]({addresses[key]})"

    return POST_LINK.sub(address, body)


def _address(blog_slug: str, post_slug: str, published_at: datetime) -> str:
    return reverse(
        "posts:post",
        kwargs={
            "blog_slug": blog_slug,
            "year": published_at.year,
            "month": published_at.month,
            "slug": post_slug,
        },
    )


def _create_post(
    source: PostFile,
    *,
    blog: Blog,
    authors: dict[str, AuthorProfile],
    tags: dict[str, Tag],
    addresses: dict[tuple[str, str], str],
    now: datetime,
) -> Post:
    author = authors[source.fields["author"]]
    best_bit = source.fields.get("best_bit")
    network_best_bit = source.fields.get("network_best_bit")
    post = Post(
        blog=blog,
        author=author,
        title=source.title,
        slug=source.slug,
        body_source=resolve_post_links(source.body, addresses),
        excerpt=source.fields.get("excerpt", ""),
        language=source.fields.get("language", ""),
        is_best_bit=best_bit is not None,
        best_bit_order=int(best_bit or 0),
        network_best_bit_order=int(network_best_bit) if network_best_bit else None,
    )
    post.full_clean(exclude=["body_html"])
    published_at = source.published_at(now)
    if published_at is None:
        post.save()
    else:
        change = AUTHOR_SPECS[author.slug].earlier
        if change and published_at.date() < change.changed_on(now):
            # freeze_signature keeps a signature that is already set.
            post.author_job_title = change.job_title
            post.author_location = change.location
        post_publish(post=post, at=published_at)
    post.tags.set([_tag(name, tags) for name in source.tags])
    return post


@transaction.atomic
def build_demo_network(*, now: datetime | None = None) -> DemoNetwork:
    """Create the demo blogs, authors, posts, tags and historical period.

    Meant for an empty site: the caller checks that no blog exists yet, and
    the whole network is made in one transaction, so a failure leaves nothing
    half-built behind.
    """
    now = now or timezone.now()
    authors = {spec.slug: _create_author(spec) for spec in AUTHORS}
    tags: dict[str, Tag] = {}
    blogs = []
    sources: list[tuple[datetime, Blog, PostFile]] = []
    for position, spec in enumerate(BLOGS, start=1):
        blog = _create_blog(spec, authors, position)
        blogs.append(blog)
        for source in read_post_files(spec.slug):
            # Drafts sort last; they are written after everything published.
            sources.append((source.published_at(now) or now + timedelta(days=365), blog, source))
    # Created oldest first, so ids follow publication order as on a real site.
    sources.sort(key=lambda item: item[0])
    addresses = {
        (blog.slug, source.slug): _address(blog.slug, source.slug, published_at)
        for _when, blog, source in sources
        if (published_at := source.published_at(now)) is not None
    }
    for _when, blog, source in sources:
        _create_post(source, blog=blog, authors=authors, tags=tags, addresses=addresses, now=now)

    started, ended = PREVIOUS_GOVERNMENT_DAYS_AGO
    HistoricalPeriod.objects.create(
        blog=None,
        starts_on=(now - timedelta(days=started)).date(),
        ends_on=(now - timedelta(days=ended)).date(),
        note="Published under the previous government.",
    )
    # Statistics are refreshed after commit by signals; recounting here too
    # means callers inside a longer transaction (tests) see them at once.
    refresh_blog_statistics(blog_ids=[blog.pk for blog in blogs])
    return DemoNetwork(blogs=len(blogs), authors=len(authors), posts=len(sources), tags=len(tags))
