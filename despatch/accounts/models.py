from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who signs in: an author, an editor, a moderator or an admin.

    Readers never need an account. The model is custom from the first migration
    so that later fields (two-factor state, roles) need no swap of the user model.
    """

    email = models.EmailField(_("e-mail address"), blank=True)

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        return self.get_full_name() or self.username
