"""Pages of two-factor authentication: set up an authenticator app, give a code after the password, recovery codes,
turning two factors off (``accounts.two_factor``)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from . import two_factor
from .selectors import has_app, passkeys_of


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )


class RemoveForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Your password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


def _next(request) -> str:
    """Where to go once done: a page of this site only."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("home")


def _page(request, *, status=200, **context):
    user = request.user
    setup = context.pop("setup", None)
    context = {
        "app": two_factor.TOTPDevice.objects.filter(user=user, confirmed=True).first(),
        "passkeys": passkeys_of(user),
        "codes_left": two_factor.recovery_codes_left(user),
        "may_remove": not two_factor.required(user),
        "must_enrol": two_factor.session_state(request) == two_factor.ENROL,
        "code_form": CodeForm(),
        "remove_form": RemoveForm(),
        "next": request.POST.get("next") or request.GET.get("next") or "",
    } | context
    if setup is not None:
        context["setup"] = {"qr_code": two_factor.qr_code_svg(setup), "secret": two_factor.secret_of(setup)}
    return render(request, "accounts/two_factor.html", context, status=status)


@login_required
@require_safe
def two_factor_page(request):
    return _page(request, setup=two_factor.app_being_set_up(request.user))


@login_required
@require_POST
def two_factor_start(request):
    """Start setting up an app: a new secret, its QR code and the field for a first code."""
    return _page(request, setup=two_factor.app_setup_start(request.user))


@login_required
@require_POST
def two_factor_confirm(request):
    device = two_factor.app_being_set_up(request.user)
    if device is None:
        return redirect("accounts:two_factor")
    form = CodeForm(request.POST)
    codes = two_factor.app_setup_confirm(request, device, form.cleaned_data["code"]) if form.is_valid() else None
    if not isinstance(codes, list):
        if codes == two_factor.WAIT:
            form.add_error("code", _("Too many wrong codes: wait a few seconds, then type the code the app shows."))
        elif codes == two_factor.WRONG:
            form.add_error("code", _("This code is not the one the app shows now: check the app and type it again."))
        return _page(request, setup=device, code_form=form, status=400)
    messages.success(request, _("Two factors are on: from your next sign-in, Registre asks for a code from your app."))
    return _page(request, recovery_codes=codes, next=_next(request))


@login_required
@require_POST
def two_factor_recovery_codes(request):
    if not two_factor.has_second_factor(request.user):
        return redirect("accounts:two_factor")
    return _page(request, recovery_codes=two_factor.recovery_codes_renew(request.user))


@login_required
@require_POST
def two_factor_remove(request):
    form = RemoveForm(request.POST)
    if two_factor.required(request.user):
        messages.error(request, _("Two factors are required for your account: they cannot be turned off."))
        return redirect("accounts:two_factor")
    if form.is_valid() and request.user.check_password(form.cleaned_data["password"]):
        two_factor.two_factors_remove(request.user)
        two_factor.mark_not_needed(request)
        messages.success(request, _("Two factors are off: your password alone signs you in."))
        return redirect("accounts:two_factor")
    if form.is_valid():
        form.add_error("password", _("This is not your password."))
    return _page(request, remove_form=form, status=400)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def two_factor_verify(request):
    """After the password: a code of the app, or a recovery code."""
    if two_factor.session_state(request) != two_factor.VERIFY:
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        verdict = two_factor.verify(request, form.cleaned_data["code"])
        if verdict == two_factor.VERIFIED:
            return redirect(_next(request))
        if verdict == two_factor.WAIT:
            form.add_error("code", _("Too many wrong codes: wait a few seconds, then type the code the app shows."))
        else:
            form.add_error(
                "code",
                _("This code is not right, or was already used. Wait for the app to show a new one, then type it."),
            )
    context = {
        "form": form,
        "next": request.POST.get("next") or request.GET.get("next") or "",
        "has_app": has_app(request.user),
        "has_passkey": passkeys_of(request.user).exists(),
    }
    return render(request, "accounts/two_factor_verify.html", context, status=400 if form.errors else 200)
