"""The spam defence's rules: each one a plain function of facts about a submission.

No CAPTCHA and no outside service: a hidden field only robots fill in, a signed
timestamp that shows how long the form was open, limits on links, blocked
words, repeated text, and the learned score from ``learning``. Each rule that
fires adds a reason with a weight; the weights combine into one score between
0 and 1 (``1 - Π(1 - weight)``), and every reason is shown to the moderator.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from .learning import LearnedScore

# At or above this score a comment goes straight to the spam tab (still kept, and
# still reviewable); at or above HOLD it is never published without a moderator.
SPAM_THRESHOLD = 0.9
HOLD_THRESHOLD = 0.5


class Rule(models.TextChoices):
    """Why a comment looked like spam, in words a moderator can check."""

    HONEYPOT = "honeypot", _("Filled in the hidden field that only robots see")
    NO_TIMESTAMP = "no-timestamp", _("The form’s signed timestamp was missing or altered")
    TOO_FAST = "too-fast", _("Sent faster than a person can read and write")
    LINKS = "links", _("Too many links")
    BLOCKED_WORD = "blocked-word", _("Contains a blocked word")
    DUPLICATE = "duplicate", _("The same text was sent before")
    LEARNED = "learned", _("Reads like comments moderators marked as spam")


@dataclass(frozen=True)
class SpamReason:
    rule: str
    weight: float
    detail: str = ""

    @property
    def label(self) -> str:
        try:
            return str(Rule(self.rule).label)
        except ValueError:
            return self.rule

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class SubmissionFacts:
    """What the rules look at, gathered by the service from the form and the database."""

    text: str
    honeypot: str = ""
    seconds_to_fill: float | None = None
    link_count: int = 0
    blocked_terms: tuple[str, ...] = ()
    earlier_copies: int = 0
    learned: LearnedScore | None = None


@dataclass(frozen=True)
class SpamAssessment:
    score: float
    reasons: list[SpamReason] = field(default_factory=list)

    @property
    def is_spam(self) -> bool:
        return self.score >= SPAM_THRESHOLD

    @property
    def must_be_held(self) -> bool:
        return self.score >= HOLD_THRESHOLD


def honeypot_reason(facts: SubmissionFacts) -> SpamReason | None:
    if facts.honeypot.strip():
        return SpamReason(Rule.HONEYPOT, 1.0)
    return None


def timing_reason(facts: SubmissionFacts, *, min_fill_seconds: float) -> SpamReason | None:
    """Robots post the instant they load a form; people take at least a few seconds."""
    if facts.seconds_to_fill is None:
        return SpamReason(Rule.NO_TIMESTAMP, 0.8)
    if facts.seconds_to_fill < min_fill_seconds:
        return SpamReason(Rule.TOO_FAST, 0.8, f"{facts.seconds_to_fill:.1f} s")
    return None


def links_reason(facts: SubmissionFacts, *, max_links: int) -> SpamReason | None:
    """One or two links are a normal citation; a list of them is an advertisement."""
    if facts.link_count <= max_links:
        return None
    extra = facts.link_count - max_links
    return SpamReason(Rule.LINKS, min(0.5 + 0.15 * extra, 0.95), str(facts.link_count))


def blocked_words_reason(facts: SubmissionFacts) -> SpamReason | None:
    if not facts.blocked_terms:
        return None
    weight = 1 - 0.1 ** len(facts.blocked_terms)
    return SpamReason(Rule.BLOCKED_WORD, weight, ", ".join(facts.blocked_terms))


def duplicate_reason(facts: SubmissionFacts) -> SpamReason | None:
    """The same long text sent again, by anyone, anywhere on the network."""
    if facts.earlier_copies <= 0:
        return None
    weight = 0.6 if facts.earlier_copies == 1 else 0.9
    return SpamReason(Rule.DUPLICATE, weight, str(facts.earlier_copies))


def learned_reason(facts: SubmissionFacts) -> SpamReason | None:
    """Only the part of the learned score above "undecided" counts as evidence of spam."""
    if facts.learned is None or facts.learned.probability <= 0.5:
        return None
    weight = round(2 * facts.learned.probability - 1, 3)
    detail = f"{facts.learned.probability:.2f}"
    if facts.learned.spammy_words:
        detail += ": " + ", ".join(facts.learned.spammy_words)
    return SpamReason(Rule.LEARNED, weight, detail)


def combine(reasons: Iterable[SpamReason]) -> float:
    """Independent pieces of evidence: the chance that every one of them is wrong."""
    remaining = 1.0
    for reason in reasons:
        remaining *= 1.0 - min(max(reason.weight, 0.0), 1.0)
    return round(1.0 - remaining, 4)


def assess(
    facts: SubmissionFacts, *, min_fill_seconds: float, max_links: int, check_form: bool = True
) -> SpamAssessment:
    """Run every rule over ``facts``; ``check_form=False`` skips the form-only rules.

    Comments that arrive without our form (imports, the benchmark corpus) have
    no honeypot and no timestamp to judge.
    """
    candidates = [
        links_reason(facts, max_links=max_links),
        blocked_words_reason(facts),
        duplicate_reason(facts),
        learned_reason(facts),
    ]
    if check_form:
        candidates = [
            honeypot_reason(facts),
            timing_reason(facts, min_fill_seconds=min_fill_seconds),
            *candidates,
        ]
    reasons = [reason for reason in candidates if reason is not None]
    return SpamAssessment(score=combine(reasons), reasons=reasons)


def find_blocked_terms(text: str, terms: Iterable[str]) -> tuple[str, ...]:
    """Return the blocked words or phrases that occur in ``text`` as whole words."""
    folded = " ".join(text.casefold().split())
    found = []
    for term in terms:
        pattern = r"(?<!\w)" + re.escape(" ".join(term.casefold().split())) + r"(?!\w)"
        if re.search(pattern, folded):
            found.append(term)
    return tuple(found)


def reasons_from_json(raw: Iterable[dict[str, Any]]) -> list[SpamReason]:
    """Rebuild the reasons stored on a comment, for the queue to explain."""
    return [
        SpamReason(str(item.get("rule", "")), float(item.get("weight", 0)), item.get("detail", ""))
        for item in raw
        if isinstance(item, dict)
    ]
