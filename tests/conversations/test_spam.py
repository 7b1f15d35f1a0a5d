"""Each spam rule fires on what it should, and the reasons combine into one score."""

from __future__ import annotations

import pytest

from despatch.conversations.learning import LearnedScore
from despatch.conversations.spam import (
    HOLD_THRESHOLD,
    SPAM_THRESHOLD,
    Rule,
    SpamReason,
    SubmissionFacts,
    assess,
    combine,
    find_blocked_terms,
    reasons_from_json,
)

# The shared conftest clears the database-backed cache before every test.
pytestmark = pytest.mark.django_db


def judged(**facts):
    defaults = {"text": "A thoughtful comment.", "seconds_to_fill": 40.0}
    return assess(SubmissionFacts(**{**defaults, **facts}), min_fill_seconds=3, max_links=2)


def rules(assessment):
    return {reason.rule for reason in assessment.reasons}


def test_a_person_writing_normally_scores_zero():
    """No rule fires on an ordinary comment written at human speed."""
    assessment = judged()
    assert assessment.score == 0
    assert not assessment.must_be_held


def test_a_filled_honeypot_is_certainly_spam():
    assessment = judged(honeypot="http://spam.example")
    assert Rule.HONEYPOT in rules(assessment)
    assert assessment.is_spam


@pytest.mark.parametrize(
    ("seconds", "rule"), [(None, Rule.NO_TIMESTAMP), (0.4, Rule.TOO_FAST), (5.0, None)]
)
def test_timing_rules(seconds, rule):
    """A missing or forged timestamp, or a form sent in under a second, is suspicious."""
    assessment = judged(seconds_to_fill=seconds)
    if rule is None:
        assert not assessment.reasons
    else:
        assert rules(assessment) == {rule}
        assert assessment.must_be_held


def test_links_count_only_beyond_the_allowance():
    """Two links are a citation; five are an advertisement."""
    assert not judged(link_count=2).reasons
    many = judged(link_count=5)
    assert rules(many) == {Rule.LINKS}
    assert many.reasons[0].detail == "5"
    assert many.score > judged(link_count=3).score


def test_blocked_words_are_matched_as_whole_words_ignoring_case():
    terms = ["casino", "cheap pills"]
    assert find_blocked_terms("Visit our CASINO today", terms) == ("casino",)
    assert find_blocked_terms("Cheap   pills here", terms) == ("cheap pills",)
    assert find_blocked_terms("Occasionally I disagree", terms) == ()
    assert Rule.BLOCKED_WORD in rules(judged(blocked_terms=("casino",)))


def test_a_repeated_text_is_suspicious_and_more_so_the_more_copies():
    once, often = judged(earlier_copies=1), judged(earlier_copies=4)
    assert rules(once) == {Rule.DUPLICATE}
    assert often.score > once.score


def test_the_learned_score_counts_only_above_undecided():
    """A learned 0.3 is no evidence of spam; a learned 0.95 is strong evidence."""
    assert not judged(learned=LearnedScore(0.3, ())).reasons
    strong = judged(learned=LearnedScore(0.95, ("casino", "bonus")))
    assert rules(strong) == {Rule.LEARNED}
    assert "casino" in strong.reasons[0].detail
    assert strong.score == pytest.approx(0.9)


def test_form_rules_are_skipped_for_comments_that_did_not_come_through_the_form():
    assessment = assess(
        SubmissionFacts(text="x", seconds_to_fill=None, honeypot="filled"),
        min_fill_seconds=3,
        max_links=2,
        check_form=False,
    )
    assert assessment.reasons == []


def test_weights_combine_as_independent_evidence():
    """Two reasons of 0.5 each leave a one-in-four chance that both are wrong."""
    reasons = [SpamReason(Rule.LINKS, 0.5), SpamReason(Rule.DUPLICATE, 0.5)]
    assert combine(reasons) == 0.75
    assert combine([]) == 0
    assert HOLD_THRESHOLD < SPAM_THRESHOLD


def test_reasons_survive_a_round_trip_through_json_and_explain_themselves():
    stored = [reason.as_json() for reason in judged(link_count=6, seconds_to_fill=0.1).reasons]
    rebuilt = reasons_from_json(stored)
    assert {reason.rule for reason in rebuilt} == {Rule.LINKS, Rule.TOO_FAST}
    assert rebuilt[0].label == str(Rule(rebuilt[0].rule).label)
    assert reasons_from_json(["garbage", {"rule": "unknown"}])[0].label == "unknown"
