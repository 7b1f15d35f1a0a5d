"""The advanced search form: it reads any query string and never refuses one.

A search page is often reached from a shared or hand-edited address, so a
value the form cannot use (a blog that no longer exists, a date typed as
"31/02/2009") is not an error to stop at: it is left out of the search and the
reader is told, in a notice above the results.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.http import QueryDict
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from despatch.blogs.models import AuthorProfile, Blog
from despatch.core.languages import CONTENT_LANGUAGE_CHOICES, language_name
from despatch.posts.models import Tag
from despatch.posts.selectors import tag_cloud

from .backends import Order, SearchFilters
from .query import MAX_QUERY_LENGTH, SearchQuery, parse
from .text import clean_query_text

KNOWN_LANGUAGES = frozenset(code for code, _name in CONTENT_LANGUAGE_CHOICES)
SUGGESTED_TAGS = 50
# A year, a year and month, or a whole date; what people type into a URL.
LOOSE_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


class LooseDateField(forms.CharField):
    """A date written ``2009``, ``2009-03`` or ``2009-03-31``.

    A year or a month stands for its first day, or with ``end=True`` its last,
    so ``from=2009&to=2009`` means the whole of 2009.
    """

    default_error_messages = {"invalid": gettext_lazy("Enter a date such as 2009-03-31.")}

    def __init__(self, *, end: bool = False, **kwargs: Any) -> None:
        self.end = end
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> date | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        match = LOOSE_DATE.match(text.strip())
        if match is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        year, month, day = (int(part) if part else None for part in match.groups())
        assert year is not None
        try:
            if month is None:
                return date(year, 12, 31) if self.end else date(year, 1, 1)
            if day is None:
                last_day = calendar.monthrange(year, month)[1]
                return date(year, month, last_day if self.end else 1)
            return date(year, month, day)
        except ValueError as error:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from error


class QueryField(forms.CharField):
    """The search box: any text at all, with control characters turned into spaces.

    A plain ``CharField`` refuses text with NUL characters; a search box must
    not refuse anything, so they are removed before validation sees them.
    """

    def to_python(self, value: Any) -> str:
        text = super().to_python(value) or ""
        return clean_query_text(text, limit=len(text)).strip()


@dataclass(frozen=True)
class SearchChoices:
    """The blogs, authors, languages and suggested tags the form offers."""

    blogs: list[tuple[str, str]]
    authors: list[tuple[str, str]]
    languages: list[str]
    tags: list[str]

    @classmethod
    def load(cls) -> SearchChoices:
        blogs = list(Blog.objects.order_by("name").values_list("slug", "name", "language"))
        site_languages = [code for code, _name in settings.LANGUAGES]
        languages = sorted(
            {*site_languages, *(language for _slug, _name, language in blogs)},
            key=language_name,
        )
        return cls(
            blogs=[(slug, name) for slug, name, _language in blogs],
            authors=list(
                AuthorProfile.objects.order_by("display_name").values_list("slug", "display_name")
            ),
            languages=languages,
            tags=[tag.name for tag in tag_cloud(limit=SUGGESTED_TAGS)],
        )


@dataclass(frozen=True)
class SearchCriteria:
    """A reader's search, every part of it understood and usable."""

    text: str = ""
    query: SearchQuery = field(default_factory=SearchQuery)
    blog: Blog | None = None
    author: AuthorProfile | None = None
    tag: Tag | None = None
    language: str = ""
    date_from: date | None = None
    date_to: date | None = None
    order: Order = Order.RELEVANCE

    @property
    def has_filters(self) -> bool:
        return any((self.blog, self.author, self.tag, self.language, self.date_from, self.date_to))

    @property
    def is_newest_first(self) -> bool:
        return self.order == Order.NEWEST

    @property
    def language_label(self) -> str:
        return language_name(self.language) if self.language else ""

    @property
    def is_blank(self) -> bool:
        """Nothing asked for yet: the page shows only the form."""
        return self.query.is_empty and not self.has_filters

    def form_values(self) -> dict[str, str]:
        """What the form shows for this search: the values used, those left out cleared."""
        return {
            "q": self.text,
            "blog": self.blog.slug if self.blog else "",
            "author": self.author.slug if self.author else "",
            "tag": self.tag.name if self.tag else "",
            "language": self.language,
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
            "sort": self.order.value,
        }

    def filters(self) -> SearchFilters:
        zone = timezone.get_current_timezone()

        def start_of(day: date) -> datetime:
            return datetime.combine(day, time.min, tzinfo=zone)

        return SearchFilters(
            blog_id=self.blog.pk if self.blog else None,
            author_id=self.author.pk if self.author else None,
            tag_id=self.tag.pk if self.tag else None,
            language=self.language,
            published_from=start_of(self.date_from) if self.date_from else None,
            published_before=start_of(self.date_to + timedelta(days=1)) if self.date_to else None,
        )


class AdvancedSearchForm(forms.Form):
    """Query, filters and order; bound to ``request.GET`` so every search has an address."""

    q = QueryField(
        label=gettext_lazy("Search for"),
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "autocomplete": "off", "aria-describedby": "search-syntax"}
        ),
    )
    blog = forms.ChoiceField(label=gettext_lazy("Blog"), required=False)
    author = forms.ChoiceField(label=gettext_lazy("Author"), required=False)
    tag = forms.CharField(
        label=gettext_lazy("Tag"),
        required=False,
        strip=True,
        widget=forms.TextInput(attrs={"list": "search-tags", "autocomplete": "off"}),
    )
    language = forms.ChoiceField(label=gettext_lazy("Language"), required=False)
    sort = forms.ChoiceField(
        label=gettext_lazy("Sort by"),
        required=False,
        choices=[(Order.RELEVANCE, gettext_lazy("Best match")), (Order.NEWEST, Order.NEWEST.label)],
        widget=forms.RadioSelect,
    )

    def __init__(
        self,
        data: QueryDict | dict[str, Any] | None = None,
        *,
        initial: dict[str, Any] | None = None,
        choices: SearchChoices | None = None,
    ) -> None:
        super().__init__(data, initial=initial, label_suffix="")
        # "from" and "to" read best in an address but are not Python names.
        self.fields["from"] = LooseDateField(label=gettext_lazy("From"), required=False)
        self.fields["to"] = LooseDateField(label=gettext_lazy("To"), required=False, end=True)
        self.order_fields(["q", "blog", "author", "tag", "language", "from", "to", "sort"])
        self.choices = choices or SearchChoices.load()
        self._choose("blog", [("", _("All blogs")), *self.choices.blogs])
        self._choose("author", [("", _("All authors")), *self.choices.authors])
        languages = list(self.choices.languages)
        requested = (data or initial or {}).get("language", "")
        if requested in KNOWN_LANGUAGES and requested not in languages:
            languages.append(requested)
        self._choose(
            "language",
            [("", _("All languages")), *((code, language_name(code)) for code in languages)],
        )

    def _choose(self, name: str, choices: list[tuple[str, str]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def clean_tag(self) -> Tag | None:
        name = self.cleaned_data["tag"]
        if not name:
            return None
        tag = Tag.objects.filter(slug=name).first() or Tag.objects.filter(name__iexact=name).first()
        if tag is None:
            raise forms.ValidationError(_("There is no such tag."), code="unknown")
        return tag

    def criteria(self) -> tuple[SearchCriteria, list[str]]:
        """What to search for, and a notice for each value that had to be left out."""
        self.is_valid()
        data = self.cleaned_data
        notices = [self._notice(name) for name in self.errors]
        date_from, date_to = data.get("from"), data.get("to")
        if date_from and date_to and date_from > date_to:
            date_from, date_to = (
                self.fields["from"].clean(self.data["to"]),
                self.fields["to"].clean(self.data["from"]),
            )
            notices.append(_("The dates were the wrong way round, so they have been swapped."))
        text = data.get("q") or ""
        query = parse(text)
        if query.shortened:
            notices.append(
                _("Your search was very long, so only its first %(count)s characters were used.")
                % {"count": MAX_QUERY_LENGTH}
                if len(text) > MAX_QUERY_LENGTH
                else _("Your search had too many words, so only the first ones were used.")
            )
        blog_slug, author_slug = data.get("blog"), data.get("author")
        criteria = SearchCriteria(
            text=text[:MAX_QUERY_LENGTH],
            query=query,
            blog=Blog.objects.filter(slug=blog_slug).first() if blog_slug else None,
            author=AuthorProfile.objects.filter(slug=author_slug).first() if author_slug else None,
            tag=data.get("tag"),
            language=data.get("language") or "",
            date_from=date_from,
            date_to=date_to,
            order=Order(data["sort"])
            if data.get("sort")
            else (Order.RELEVANCE if query.has_required else Order.NEWEST),
        )
        return criteria, notices

    def _notice(self, name: str) -> str:
        value = Truncator(str(self.data.get(name, ""))).chars(40)
        messages = {
            "blog": _("There is no blog “%(value)s”, so every blog was searched."),
            "author": _("There is no author “%(value)s”, so posts by every author were searched."),
            "tag": _("There is no tag “%(value)s”, so posts with any tag were searched."),
            "language": _("“%(value)s” is not a language we know, so every language was searched."),
            "from": _("“%(value)s” is not a date we can read, so there is no start date."),
            "to": _("“%(value)s” is not a date we can read, so there is no end date."),
            "sort": _("“%(value)s” is not a way to sort results, so the usual order was used."),
        }
        return messages.get(name, _("“%(value)s” was not understood and was left out.")) % {
            "value": value
        }
