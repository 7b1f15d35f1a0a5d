from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "despatch.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from . import signals

        user_login_failed.connect(signals.sign_in_failed, dispatch_uid="accounts.sign_in_failed")
        user_logged_in.connect(signals.signed_in, dispatch_uid="accounts.signed_in")
