"""The learned score: tokens, the naive-Bayes arithmetic, and training from decisions."""

from __future__ import annotations

import pytest

from despatch.conversations import learning
from despatch.conversations.models import Comment, SpamModelTotals, SpamToken

from .conftest import make_comment

# The shared conftest clears the database-backed cache before every test.
pytestmark = pytest.mark.django_db

SPAM_TEXTS = [
    "Win a free prize now, claim your casino bonus at http://win.example",
    "Cheap pills, free shipping, claim your bonus now http://pills.example",
    "Free casino spins, claim now, bonus waiting http://spins.example",
    "Claim your free crypto prize now http://prize.example",
    "Free bonus, win now, casino offer http://offer.example",
    "Exclusive prize, claim free money now http://money.example",
]
HAM_TEXTS = [
    "Thank you for explaining how the treaty review works.",
    "Could the embassy publish the closing statement in full?",
    "I disagree with the timetable; the review seems too slow.",
    "My students discussed this post in our politics lesson.",
    "How were civil society groups involved in the negotiations?",
    "A balanced account of a difficult conference, thank you.",
]


def test_tokens_are_words_and_link_hosts_with_digits_generalised():
    clues = learning.tokenise(
        "Call 0800 123 now! See https://www.win.example/x", website="https://my.example"
    )
    assert "link:win.example" in clues
    assert "site:my.example" in clues
    assert "9999" in clues  # "0800": the shape of a number, not its value
    assert "call" in clues and "now" in clues


def test_an_untrained_model_gives_no_opinion():
    assert (
        learning.spam_probability({"casino"}, {"casino": (3, 0)}, spam_documents=3, ham_documents=9)
        is None
    )


def test_words_seen_only_in_spam_push_the_score_up_and_ham_words_down():
    counts = {"casino": (9, 0), "bonus": (8, 1), "treaty": (0, 9), "embassy": (1, 9)}
    spammy = learning.spam_probability(
        {"casino", "bonus"}, counts, spam_documents=10, ham_documents=10
    )
    hammy = learning.spam_probability(
        {"treaty", "embassy"}, counts, spam_documents=10, ham_documents=10
    )
    unknown = learning.spam_probability({"zebra"}, counts, spam_documents=10, ham_documents=10)
    assert spammy.probability > 0.9
    assert "casino" in spammy.spammy_words
    assert hammy.probability < 0.1
    assert unknown.probability == 0.5


@pytest.mark.django_db
def test_moderators_decisions_train_the_stored_model(post, moderator):
    """Approving and marking spam teach the model, which then recognises new spam."""
    from despatch.conversations.services import comment_moderate

    spam = [make_comment(post, body=text, status=Comment.Status.PENDING) for text in SPAM_TEXTS]
    ham = [make_comment(post, body=text, status=Comment.Status.PENDING) for text in HAM_TEXTS]
    comment_moderate(comment_ids=[c.pk for c in spam], to=Comment.Status.SPAM, by=moderator)
    comment_moderate(comment_ids=[c.pk for c in ham], to=Comment.Status.APPROVED, by=moderator)

    totals = SpamModelTotals.objects.get()
    assert (totals.spam_documents, totals.ham_documents) == (6, 6)
    assert SpamToken.objects.get(token="casino").spam_count == 3

    fresh_spam = learning.score_text("Claim your free casino bonus now http://new.example")
    fresh_ham = learning.score_text("Thank you for the post about the treaty review.")
    assert fresh_spam.probability > 0.9
    assert fresh_ham.probability < 0.2


@pytest.mark.django_db
def test_a_reversed_decision_takes_the_earlier_lesson_back(post, moderator):
    """Spam later approved counts once, as genuine; a rejection teaches nothing."""
    from despatch.conversations.services import comment_moderate

    comment = make_comment(post, body="Claim your casino bonus", status=Comment.Status.PENDING)
    comment_moderate(comment_ids=[comment.pk], to=Comment.Status.SPAM, by=moderator)
    comment_moderate(comment_ids=[comment.pk], to=Comment.Status.APPROVED, by=moderator)
    token = SpamToken.objects.get(token="casino")
    assert (token.spam_count, token.ham_count) == (0, 1)
    totals = SpamModelTotals.objects.get()
    assert (totals.spam_documents, totals.ham_documents) == (0, 1)

    comment_moderate(comment_ids=[comment.pk], to=Comment.Status.REJECTED, by=moderator, rule="2")
    token.refresh_from_db()
    assert (token.spam_count, token.ham_count) == (0, 0)
    comment.refresh_from_db()
    assert comment.trained_as == ""
