"""Signing in (with a second step where required), two-factor set-up and password reset."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from despatch.accounts import throttling, two_factor
from despatch.accounts.audit import audit_record, client_ip
from despatch.accounts.models import AuditLogEntry

from ..forms import ConfirmAuthenticatorForm, SecondStepForm, SignInForm
from .base import StudioMixin


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME) or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


class SignInView(auth_views.LoginView):
    """The first step: name and password, throttled, with a plain message when locked."""

    template_name = "studio/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        locked = throttling.seconds_locked(
            username=request.POST.get("username", ""), ip=client_ip(request)
        )
        if locked:
            minutes = max(1, round(locked / 60))
            form = self.get_form()
            form.errors.clear()
            form.add_error(
                None,
                _(
                    "Too many wrong attempts. Sign-in is paused for about %(minutes)d "
                    "minute(s) to protect the account; try again then, or reset your password."
                )
                % {"minutes": minutes},
            )
            response = self.render_to_response(self.get_context_data(form=form, locked=True))
            response.status_code = 429
            response["Retry-After"] = str(locked)
            return response
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        user = form.get_user()
        audit_record(
            actor=user, action=AuditLogEntry.Action.SIGN_IN, subject=user, request=self.request
        )
        if two_factor.has_two_factor(user):
            return redirect(f"{reverse('studio:two-factor')}?next={self.get_success_url()}")
        if two_factor.requires_two_factor(user):
            return redirect(f"{reverse('studio:two-factor-setup')}?next={self.get_success_url()}")
        return response


@method_decorator(never_cache, name="dispatch")
class SecondStepView(LoginRequiredMixin, View):
    """The second step: a code from the authenticator app, or a recovery code."""

    template_name = "studio/two_factor.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        if not two_factor.has_two_factor(request.user):
            return redirect("studio:two-factor-setup")
        return render(
            request, self.template_name, {"form": SecondStepForm(), "next": _safe_next(request, "")}
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        form = SecondStepForm(request.POST)
        if form.is_valid():
            device = two_factor.verify_second_step(
                user=request.user, code=form.cleaned_data["code"]
            )
            if device is not None:
                two_factor.complete_second_step(request, device)
                if device.name == two_factor.RECOVERY_NAME:
                    messages.warning(
                        request,
                        _(
                            "You used a recovery code; %(left)d left. "
                            "Make new ones if you are running low."
                        )
                        % {"left": two_factor.recovery_codes_left(request.user)},
                    )
                return HttpResponseRedirect(_safe_next(request, reverse("studio:dashboard")))
            form.add_error(
                "code",
                _(
                    "That code did not work. Codes change every 30 seconds; "
                    "wrong tries slow further ones down."
                ),
            )
        return render(
            request, self.template_name, {"form": form, "next": _safe_next(request, "")}, status=400
        )


@method_decorator(never_cache, name="dispatch")
class TwoFactorSetupView(LoginRequiredMixin, View):
    """Set up an authenticator: scan the code, type one code back, keep the recovery codes."""

    template_name = "studio/two_factor_setup.html"

    def _context(self, request: HttpRequest, form: Any) -> dict[str, Any]:
        device = two_factor.pending_authenticator(user=request.user)
        return {
            "form": form,
            "qr_code": two_factor.provisioning_qr_data_uri(device),
            "secret": two_factor.secret_for_typing(device),
            "required": two_factor.requires_two_factor(request.user),
            "already": two_factor.has_two_factor(request.user),
            "next": _safe_next(request, ""),
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        if two_factor.has_two_factor(request.user) and not two_factor.is_verified(request):
            # Replacing an authenticator needs the current one first.
            return redirect(f"{reverse('studio:two-factor')}?next={request.path}")
        return render(
            request, self.template_name, self._context(request, ConfirmAuthenticatorForm())
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        if two_factor.has_two_factor(request.user) and not two_factor.is_verified(request):
            return redirect(f"{reverse('studio:two-factor')}?next={request.path}")
        form = ConfirmAuthenticatorForm(request.POST)
        if form.is_valid():
            device = two_factor.pending_authenticator(user=request.user)
            codes = two_factor.authenticator_confirm(
                user=request.user, device=device, code=form.cleaned_data["code"], request=request
            )
            if codes is not None:
                return render(
                    request,
                    "studio/recovery_codes.html",
                    {"codes": codes, "next": _safe_next(request, reverse("studio:dashboard"))},
                )
            form.add_error(
                "code",
                _("That code did not match. Check the clock on your phone and try the next code."),
            )
        return render(request, self.template_name, self._context(request, form), status=400)


class AccountView(StudioMixin, TemplateView):
    """Your account: password, two-factor sign-in and recovery codes."""

    section = "account"
    template_name = "studio/account.html"

    def post(self, request: HttpRequest) -> HttpResponse:
        action = request.POST.get("action")
        if action == "recovery-codes" and two_factor.has_two_factor(request.user):
            codes = two_factor.recovery_codes_replace(user=request.user, request=request)
            return render(
                request,
                "studio/recovery_codes.html",
                {"codes": codes, "next": reverse("studio:account")},
            )
        if action == "disable-two-factor":
            if two_factor.two_factor_disable(user=request.user, by=request.user, request=request):
                messages.success(request, _("Two-factor sign-in is off."))
            else:
                messages.error(request, _("Your role requires two-factor sign-in; it stays on."))
        return redirect("studio:account")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            has_two_factor=two_factor.has_two_factor(user),
            requires_two_factor=two_factor.requires_two_factor(user),
            recovery_codes_left=two_factor.recovery_codes_left(user),
        )
        return context


class SignOutView(auth_views.LogoutView):
    template_name = "studio/signed_out.html"


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "studio/password_reset.html"
    email_template_name = "studio/email/password_reset.txt"
    subject_template_name = "studio/email/password_reset_subject.txt"
    success_url = reverse_lazy("studio:password-reset-sent")


class PasswordResetSentView(auth_views.PasswordResetDoneView):
    template_name = "studio/password_reset_sent.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "studio/password_reset_confirm.html"
    success_url = reverse_lazy("studio:password-reset-complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        audit_record(
            actor=form.user,
            action=AuditLogEntry.Action.PASSWORD_RESET,
            subject=form.user,
            request=self.request,
        )
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "studio/password_reset_complete.html"


class PasswordChangeView(StudioMixin, auth_views.PasswordChangeView):
    template_name = "studio/password_change.html"
    success_url = reverse_lazy("studio:account")
    section = "account"

    def form_valid(self, form: Any) -> HttpResponse:
        messages.success(self.request, _("Your password is changed."))
        return super().form_valid(form)
