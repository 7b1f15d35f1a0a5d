"""The search page: form, results, help when nothing is found, and the OpenSearch document."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import days_ago

pytestmark = pytest.mark.django_db

SEARCH_URL = "/search/"


def test_the_urls_the_base_template_links_exist():
    assert reverse("search:search") == SEARCH_URL
    assert reverse("search:opensearch") == "/search/opensearch.xml"


def test_an_empty_search_shows_the_form_only(client):
    response = client.get(SEARCH_URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert '<form class="advanced-search"' in page
    assert "search-results" not in page
    assert 'name="robots" content="noindex"' not in page


def test_results_show_post_summaries_with_marked_snippets(client, post_about):
    post = post_about("Weekly notes", body="The UK said the Arms Trade Treaty matters.")
    response = client.get(SEARCH_URL, {"q": "arms treaty"})
    page = response.content.decode()
    assert response.status_code == 200
    assert post.get_absolute_url() in page
    assert "<mark>Arms</mark> Trade <mark>Treaty</mark>" in page
    assert 'name="robots" content="noindex"' in page


def test_the_form_keeps_what_was_searched(client, post_about, network):
    post_about("Treaty", tags=["Arms control"])
    response = client.get(
        SEARCH_URL,
        {
            "q": '"arms trade" -nuclear',
            "blog": "london",
            "author": "jane",
            "tag": "arms-control",
            "language": "en",
            "from": "2009",
            "to": "2010-06",
            "sort": "newest",
        },
    )
    form = response.context["form"]
    assert form["q"].value() == '"arms trade" -nuclear'
    assert form["blog"].value() == "london"
    assert form["author"].value() == "jane"
    assert form["tag"].value() == "Arms control"
    assert form["from"].value() == "2009-01-01"
    assert form["to"].value() == "2010-06-30"
    assert form["sort"].value() == "newest"
    page = response.content.decode()
    assert '<option value="london" selected>' in page
    assert 'value="newest" id="id_sort_1" checked' in page


def test_bad_filters_are_ignored_with_a_notice(client, post_about):
    post = post_about("Treaty")
    response = client.get(
        SEARCH_URL,
        {"q": "treaty", "blog": "atlantis", "from": "2009-02-31", "tag": "nope", "sort": "best"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is no blog “atlantis”" in page
    assert "“2009-02-31” is not a date we can read" in page
    assert "There is no tag “nope”" in page
    assert "is not a way to sort results" in page
    assert post.get_absolute_url() in page
    assert response.context["form"]["blog"].value() == ""


def test_reversed_dates_are_swapped(client, post_about):
    response = client.get(SEARCH_URL, {"q": "treaty", "from": "2010", "to": "2009"})
    criteria = response.context["criteria"]
    assert (criteria.date_from.isoformat(), criteria.date_to.isoformat()) == (
        "2009-01-01",
        "2010-12-31",
    )
    assert "wrong way round" in response.content.decode()


def test_results_are_paginated_with_shareable_links(client, post_about, settings):
    settings.DESPATCH_SEARCH_RESULTS_PER_PAGE = 2
    for day in range(1, 6):
        post_about(f"Treaty {day}", published_at=days_ago(day))
    first = client.get(SEARCH_URL, {"q": "treaty", "sort": "newest", "blog": "london"})
    page = first.content.decode()
    assert 'rel="next" href="?q=treaty&amp;sort=newest&amp;blog=london&amp;page=2"' in page
    third = client.get(SEARCH_URL, {"q": "treaty", "sort": "newest", "blog": "london", "page": 3})
    assert [r.post.title for r in third.context["results"]] == ["Treaty 5"]
    assert 'rel="prev"' in third.content.decode()
    beyond = client.get(SEARCH_URL, {"q": "treaty", "page": 40})
    assert beyond.status_code == 200
    assert "There are no more results." in beyond.content.decode()


def test_nothing_found_suggests_a_spelling_and_tags(client, post_about):
    post_about("Maritime security", tags=["Maritime security"])
    post_about("Security council", tags=["Security Council"])
    response = client.get(SEARCH_URL, {"q": "secruity", "blog": "london"})
    page = response.content.decode()
    assert "No posts match" in page
    assert 'Did you mean <a href="?q=security&amp;blog=london">security</a>?' in page
    assert "/tags/maritime-security/" in page
    assert "Search again without the filters" in page


def test_no_suggestion_that_would_find_nothing_either(client, post_about, network):
    post_about("Maritime security")
    response = client.get(SEARCH_URL, {"q": "secruity", "blog": "paris"})
    assert response.context["outcome"].suggestion is None


def test_search_page_markup_is_accessible(client, post_about):
    """Labels for every field, fieldsets with legends, one h1, a named search landmark."""
    post_about("Treaty")
    page = client.get(SEARCH_URL, {"q": "treaty"}).content.decode()
    for name in ("q", "blog", "author", "tag", "language", "from", "to"):
        assert f'<label for="id_{name}">' in page
    assert page.count("<fieldset") == page.count("<legend") == 3
    assert page.count("<h1") == 1
    assert 'role="search" aria-label="Advanced search"' in page
    assert 'aria-describedby="search-syntax"' in page and 'id="search-syntax"' in page


def test_query_count_does_not_depend_on_the_number_of_results(client, post_about):
    """A fixed handful of queries: choices, the engine's (two to five), posts, tags, text."""

    def queries_for_a_search() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(SEARCH_URL, {"q": "treaty", "tag": "arms-control"})
        assert response.status_code == 200
        return len(queries)

    post_about("Treaty", tags=["Arms control"])
    few = queries_for_a_search()
    for number in range(12):
        post_about(f"Treaty {number}", tags=["Arms control", f"Tag {number}"])
    assert queries_for_a_search() == few <= 12


def test_post_html_and_query_html_are_escaped_in_the_page(client, post_about):
    post_about("<script>alert(1)</script> treaty", body="<img src=x onerror=alert(2)> treaty")
    page = client.get(SEARCH_URL, {"q": '<script>alert("q")</script> treaty'}).content.decode()
    assert "<script>alert" not in page
    assert "onerror=alert(2)>" not in page


def test_the_opensearch_description(client):
    response = client.get("/search/opensearch.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/opensearchdescription+xml")
    assert "max-age=86400" in response["Cache-Control"]
    root = ElementTree.fromstring(response.content)  # noqa: S314 - our own document
    namespace = {"os": "http://a9.com/-/spec/opensearch/1.1/"}
    assert len(root.find("os:ShortName", namespace).text) <= 16
    template = root.find("os:Url[@type='text/html']", namespace).get("template")
    assert template.endswith("/search/?q={searchTerms}")


def test_every_page_links_the_opensearch_description(client):
    page = client.get("/").content.decode()
    assert 'type="application/opensearchdescription+xml"' in page
    assert 'href="/search/opensearch.xml"' in page
