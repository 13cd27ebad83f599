"""``/desk/users/``: the administrators' page of user accounts.

Staff users and their roles; public accounts with the person or unit each acts for; a new
staff user; a login for an insured person (found by ID number) or for a unit's
representative (found by credit code), made and linked in one step
(``registry.services.public_login_create``); a password reset; deactivation and
reactivation. Every write goes through the account and registry services; a refusal shows
the service's own message.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shebao.accounts import domain as roles
from shebao.accounts import selectors as account_selectors
from shebao.accounts import services as account_services
from shebao.core.errors import ShebaoError
from shebao.registry import services as registry_services
from shebao.web.access import role_required
from shebao.web.desk.oversight.forms import (
    PasswordResetForm,
    PersonLoginForm,
    StaffUserForm,
    UnitLoginForm,
)
from shebao.web.forms import show_refusal

admin_required = role_required({roles.ADMIN})


def _linked_to(user) -> dict | None:
    """The person or unit a public account acts for, as the pages show it."""
    person = getattr(user, "person", None) if user.role == roles.PERSON else None
    if person is not None:
        return {
            "kind": _("Insured person"),
            "name": person.name,
            "identifier": person.citizen_id or person.passport_no,
            "masked": True,
            "link": f"/desk/persons/{person.pk}/",
        }
    representation = (
        getattr(user, "unit_representation", None) if user.role == roles.UNIT_REP else None
    )
    if representation is not None:
        unit = representation.unit
        return {
            "kind": _("Unit"),
            "name": unit.name,
            "identifier": unit.uscc,
            "masked": False,
            "link": f"/desk/units/{unit.pk}/",
        }
    return None


def _shown(user) -> dict:
    return {
        "id": user.pk,
        "username": user.username,
        "full_name": user.get_full_name(),
        "role": roles.role_name(user.role),
        "active": user.is_active,
        "linked": _linked_to(user) if user.role in roles.PUBLIC_ROLES else None,
        "last_login": user.last_login,
    }


@admin_required
def user_list(request):
    return render(
        request,
        "web/desk/users/index.html",
        {
            "title": _("Users"),
            "staff": [_shown(user) for user in account_selectors.staff_users()],
            "public": [_shown(user) for user in account_selectors.public_users()],
        },
    )


def _user_or_404(user_id):
    user = account_selectors.user_by_id(user_id)
    if user is None:
        raise Http404
    return user


def _detail(request, user, password_form=None, status=200):
    return render(
        request,
        "web/desk/users/detail.html",
        {
            "title": user.username,
            "account": _shown(user),
            "password_form": password_form or PasswordResetForm(),
            "is_self": user.pk == request.user.pk,
        },
        status=status,
    )


@admin_required
def user_detail(request, user_id):
    return _detail(request, _user_or_404(user_id))


def _refused(form, exc: ShebaoError) -> None:
    """The service's refusal on the form: on the fields it names, and its message above."""
    show_refusal(form, exc)
    if str(exc.message) not in form.non_field_errors():
        form.add_error(None, str(exc.message))


def _new_account(request, *, form_class, heading, intro, create):
    """A page with one form that makes an account; on success, the account's page."""
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = create(form.cleaned_data)
        except ShebaoError as exc:
            _refused(form, exc)
        else:
            messages.success(
                request, _("The account %(username)s was created.") % {"username": user.username}
            )
            return redirect("web:desk-user", user_id=user.pk)
    return render(
        request,
        "web/desk/users/new.html",
        {"title": heading, "heading": heading, "intro": intro, "form": form},
        status=422 if form.errors else 200,
    )


@admin_required
def staff_user_new(request):
    return _new_account(
        request,
        form_class=StaffUserForm,
        heading=_("New staff user"),
        intro=_("A member of the agency's staff; the role decides what they may do."),
        create=lambda data: account_services.user_create(
            actor=request.user,
            username=data["username"],
            password=data["password"],
            role=data["role"],
            email=data["email"],
        ),
    )


@admin_required
def person_login_new(request):
    return _new_account(
        request,
        form_class=PersonLoginForm,
        heading=_("Login for an insured person"),
        intro=_(
            "The person signs in with it to see their own records. It is linked to the "
            "registered person with this ID number, who must not have a login yet."
        ),
        create=lambda data: registry_services.public_login_create(
            actor=request.user,
            role=roles.PERSON,
            identifier=data["citizen_id"],
            username=data["username"],
            password=data["password"],
        ),
    )


@admin_required
def unit_login_new(request):
    return _new_account(
        request,
        form_class=UnitLoginForm,
        heading=_("Login for a unit's representative"),
        intro=_(
            "The representative signs in with it to act for the unit. It is linked to the "
            "registered unit with this credit code, which must not have an active "
            "representative's login yet."
        ),
        create=lambda data: registry_services.public_login_create(
            actor=request.user,
            role=roles.UNIT_REP,
            identifier=data["uscc"],
            username=data["username"],
            password=data["password"],
        ),
    )


@require_POST
@admin_required
def user_password(request, user_id):
    user = _user_or_404(user_id)
    form = PasswordResetForm(request.POST)
    if form.is_valid():
        try:
            account_services.user_set_password(
                actor=request.user, user=user, password=form.cleaned_data["password"]
            )
        except ShebaoError as exc:
            _refused(form, exc)
        else:
            messages.success(
                request,
                _("The password of %(username)s was reset; their other sessions and tokens end.")
                % {"username": user.username},
            )
            return redirect("web:desk-user", user_id=user.pk)
    return _detail(request, user, password_form=form, status=422)


def _switch(request, user_id, service, done: str):
    user = _user_or_404(user_id)
    try:
        service(actor=request.user, user=user)
    except ShebaoError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, done % {"username": user.username})
    return redirect("web:desk-user", user_id=user.pk)


@require_POST
@admin_required
def user_deactivate(request, user_id):
    return _switch(
        request,
        user_id,
        account_services.user_deactivate,
        _("The account %(username)s was deactivated: it can no longer log in."),
    )


@require_POST
@admin_required
def user_activate(request, user_id):
    return _switch(
        request,
        user_id,
        account_services.user_activate,
        _("The account %(username)s was reactivated."),
    )
