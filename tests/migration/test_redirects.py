"""Old WordPress addresses answer with a permanent redirect to the imported post."""

from __future__ import annotations

import pytest

from despatch.migration.importer import wordpress_import
from despatch.posts.models import Post

from .conftest import WXR_DIR

pytestmark = pytest.mark.django_db


@pytest.fixture
def embassy():
    wordpress_import(path=WXR_DIR / "embassy-1.2.xml")
    return Post.objects.get(slug="why-we-blog")


def test_old_permalinks_redirect_permanently(client, embassy):
    """/2009/09/why-we-blog/ would be a 404 here; it moves for good to the new address."""
    for path in ("/2009/09/why-we-blog/", "/2009/09/why-we-blog", "/2009/09/why-i-blog/"):
        response = client.get(path)
        assert response.status_code == 301, path
        assert response["Location"] == embassy.get_absolute_url()


def test_question_mark_p_links_redirect_even_though_the_home_page_exists(client, embassy):
    """/?p=101 reaches the network home, which would answer 200: it is looked up first."""
    response = client.get("/?p=101")
    assert response.status_code == 301
    assert response["Location"] == embassy.get_absolute_url()


def test_percent_encoded_and_decoded_unicode_permalinks_both_redirect(client, embassy):
    """WordPress writes non-ASCII slugs percent-encoded; either form finds the post."""
    arabic = Post.objects.get(slug="محادثات-السلام")
    encoded = (
        "/2010/01/%d9%85%d8%ad%d8%a7%d8%af%d8%ab%d8%a7%d8%aa-%d8%a7%d9%84%d8%b3%d9%84%d8%a7%d9%85/"
    )
    response = client.get(encoded)
    assert response.status_code == 301
    assert response["Location"] == arabic.get_absolute_url()


def test_drafts_and_unknown_addresses_do_not_redirect(client, embassy):
    """A post nobody may read yet is not revealed by its old address; the rest stays a 404."""
    assert client.get("/2010/03/staff-only/").status_code == 404
    assert client.get("/?p=105").status_code == 200  # the home page, as before
    assert client.get("/1999/01/never-existed/").status_code == 404


def test_multisite_blog_paths_redirect(client):
    """A blog that lived under /ambassador/ keeps both its permalinks and its ?p= links."""
    wordpress_import(path=WXR_DIR / "multisite-1.1.xml")
    post = Post.objects.get()
    for path in ("/ambassador/2009/09/03/first-post-from-the-residence/", "/ambassador/?p=12"):
        response = client.get(path)
        assert response.status_code == 301, path
        assert response["Location"] == post.get_absolute_url()


def test_the_redirect_lands_on_a_page_that_exists(client, embassy):
    """Following the redirect shows the imported post."""
    target = client.get("/?p=101")["Location"]
    page = client.get(target)
    assert page.status_code == 200
    assert "Why we blog" in page.content.decode()
