"""The house rules a moderator cites when rejecting a comment.

The numbers match the anchors of the public house-rules page (``#rule-1`` …),
so a rejection reason can always link to the rule's full wording.
"""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class HouseRule(models.TextChoices):
    ON_SUBJECT = "1", _("Stay on the subject")
    CIVIL = "2", _("Be civil")
    LAWFUL = "3", _("Keep within the law")
    PRIVACY = "4", _("Protect privacy")
    NO_ADVERTISING = "5", _("No advertising or spam")
    NO_IMPERSONATION = "6", _("Don’t impersonate")
    ELECTION_PERIOD = "7", _("No party politics in election periods")

    @property
    def url(self) -> str:
        """The address of this rule's full wording on the house-rules page."""
        return f"{reverse('core:house-rules')}#rule-{self.value}"
