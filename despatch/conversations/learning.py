"""The learned part of the spam score: a small naive-Bayes model moderators train.

Every time a moderator approves a comment or marks it as spam, the words in it
are counted as genuine ("ham") or spam; a new comment's score combines the
evidence of its most telling words with Robinson's and Fisher's method (as in
SpamBayes), which stays near 0.5 when the words say little either way instead
of swinging to a confident extreme.

The arithmetic (``tokenise``, ``spam_probability``) is pure, so ``bench/spam.py``
can measure the very same model on a labelled corpus without a database; the
rest of this module keeps the counts in ``SpamToken`` and ``SpamModelTotals``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import F

from .models import Comment, SpamModelTotals, SpamToken

# Below this many learned comments of each kind the model says nothing: a score
# from three examples would be noise presented as knowledge.
MINIMUM_DOCUMENTS = 5
# How many of a comment's most telling words decide its score.
MAXIMUM_CLUES = 20
# Words whose evidence is this close to neutral are ignored.
MINIMUM_STRENGTH = 0.1
# Robinson's prior: an unseen word counts as 0.5, with the weight of one sighting.
PRIOR = 0.5
PRIOR_STRENGTH = 1.0
TOKEN_MAX_LENGTH = 64

_WORD = re.compile(r"[^\W_][\w'’.-]*[^\W_]|[^\W_]", re.UNICODE)
_URL = re.compile(r"(?:https?://|www\.)([^\s/<>\"']+)", re.IGNORECASE)
_DIGITS = re.compile(r"\d")


def tokenise(text: str, *, website: str = "") -> set[str]:
    """Return the distinct clues in a comment: its words, and the sites it links to.

    Numbers keep their shape but not their digits ("£1000" and "£5000" are the
    same clue), which generalises prize and phone-number spam. The commenter's
    name and e-mail are deliberately left out: they are personal data, and the
    model's counts are kept for good.
    """
    clues: set[str] = set()
    lowered = text.casefold()
    for host in _URL.findall(lowered):
        clues.add(f"link:{host.removeprefix('www.')}"[:TOKEN_MAX_LENGTH])
    for word in _WORD.findall(_URL.sub(" ", lowered)):
        if len(word) < 2 and not word.isdigit():
            continue
        clues.add(_DIGITS.sub("9", word)[:TOKEN_MAX_LENGTH])
    if website:
        host = urlsplit(website.casefold()).netloc.removeprefix("www.")
        if host:
            clues.add(f"site:{host}"[:TOKEN_MAX_LENGTH])
    return clues


@dataclass(frozen=True)
class LearnedScore:
    """The model's opinion of one comment, with the words that formed it."""

    probability: float
    spammy_words: tuple[str, ...]


def word_probability(spam_count: int, ham_count: int, spam_docs: int, ham_docs: int) -> float:
    """Robinson's smoothed probability that a comment containing this word is spam."""
    spam_ratio = spam_count / spam_docs if spam_docs else 0.0
    ham_ratio = ham_count / ham_docs if ham_docs else 0.0
    seen = spam_count + ham_count
    if spam_ratio + ham_ratio == 0:
        return PRIOR
    raw = spam_ratio / (spam_ratio + ham_ratio)
    return (PRIOR_STRENGTH * PRIOR + seen * raw) / (PRIOR_STRENGTH + seen)


def _chi2_survival(chi2: float, degrees: int) -> float:
    """P(X >= chi2) for a chi-squared variable with an even number of degrees of freedom."""
    half = chi2 / 2.0
    term = total = math.exp(-half)
    for index in range(1, degrees // 2):
        term *= half / index
        total += term
    return min(total, 1.0)


def spam_probability(
    clues: Iterable[str],
    counts: Mapping[str, tuple[int, int]],
    *,
    spam_documents: int,
    ham_documents: int,
) -> LearnedScore | None:
    """Combine the evidence of ``clues`` into one probability, or None if untrained.

    ``counts`` maps a clue to how many spam and genuine comments contained it.
    """
    if spam_documents < MINIMUM_DOCUMENTS or ham_documents < MINIMUM_DOCUMENTS:
        return None
    evidence = []
    for clue in clues:
        spam_count, ham_count = counts.get(clue, (0, 0))
        if spam_count + ham_count == 0:
            continue
        probability = word_probability(spam_count, ham_count, spam_documents, ham_documents)
        if abs(probability - 0.5) >= MINIMUM_STRENGTH:
            evidence.append((abs(probability - 0.5), clue, probability))
    evidence.sort(reverse=True)
    strongest = evidence[:MAXIMUM_CLUES]
    if not strongest:
        return LearnedScore(probability=0.5, spammy_words=())
    probabilities = [min(max(p, 1e-6), 1 - 1e-6) for _s, _c, p in strongest]
    degrees = 2 * len(probabilities)
    spamminess = 1.0 - _chi2_survival(-2.0 * sum(math.log(1 - p) for p in probabilities), degrees)
    hamminess = 1.0 - _chi2_survival(-2.0 * sum(math.log(p) for p in probabilities), degrees)
    combined = (spamminess - hamminess + 1.0) / 2.0
    spammy = tuple(clue for _s, clue, p in strongest if p > 0.5)[:5]
    return LearnedScore(probability=combined, spammy_words=spammy)


# --- What the database remembers ---------------------------------------------------


def comment_clues(comment: Comment) -> set[str]:
    return tokenise(comment.body, website=comment.author_website)


def score_text(text: str, *, website: str = "") -> LearnedScore | None:
    """The learned opinion of a new comment, in two queries."""
    totals = SpamModelTotals.objects.filter(pk=1).first()
    if totals is None:
        return None
    clues = tokenise(text, website=website)
    counts = {
        row.token: (row.spam_count, row.ham_count)
        for row in SpamToken.objects.filter(token__in=clues)
    }
    return spam_probability(
        clues,
        counts,
        spam_documents=totals.spam_documents,
        ham_documents=totals.ham_documents,
    )


LEARNED_SPAM = "spam"
LEARNED_HAM = "ham"


@transaction.atomic
def learn_from_decision(comment: Comment) -> None:
    """Teach the model what a moderator just decided about ``comment``.

    Approval teaches "genuine", spam teaches "spam", and a rejection under a
    house rule teaches nothing (an uncivil comment is not spam). A decision
    that reverses an earlier one first takes the earlier lesson back, so each
    comment counts once, as whatever it was last judged to be.
    """
    lesson = {
        Comment.Status.APPROVED: LEARNED_HAM,
        Comment.Status.SPAM: LEARNED_SPAM,
    }.get(Comment.Status(comment.status), "")
    if lesson == comment.trained_as:
        return
    clues = comment_clues(comment)
    if comment.trained_as:
        _count(clues, comment.trained_as, -1)
    if lesson:
        _count(clues, lesson, +1)
    comment.trained_as = lesson
    Comment.objects.filter(pk=comment.pk).update(trained_as=lesson)


def _count(clues: set[str], lesson: str, step: int) -> None:
    field = "spam_count" if lesson == LEARNED_SPAM else "ham_count"
    totals_field = "spam_documents" if lesson == LEARNED_SPAM else "ham_documents"
    SpamModelTotals.objects.get_or_create(pk=1)
    totals = SpamModelTotals.objects.filter(pk=1)
    if step < 0:
        totals = totals.filter(**{f"{totals_field}__gt": 0})
    totals.update(**{totals_field: F(totals_field) + step})
    if not clues:
        return
    # Insert unseen words at zero, then move every count in one statement: two
    # moderators deciding at once both land, because the update is relative.
    SpamToken.objects.bulk_create(
        [SpamToken(token=clue) for clue in clues], ignore_conflicts=True, batch_size=500
    )
    rows = SpamToken.objects.filter(token__in=clues)
    if step < 0:
        rows = rows.filter(**{f"{field}__gt": 0})
    rows.update(**{field: F(field) + step})
