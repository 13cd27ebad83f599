"""The forms of the users' pages. They check what a form can (two passwords alike, a role
from the list); the services check the rest and their refusals are shown on the form."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shebao.accounts import domain as roles


class _NewPassword(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=gettext_lazy("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        first, second = data.get("password"), data.get("password_again")
        if first and second and first != second:
            self.add_error("password_again", _("The two passwords differ."))
        return data


class PasswordResetForm(_NewPassword):
    """An administrator sets a new password for someone (told to them in person)."""

    field_order = ["password", "password_again"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].label = gettext_lazy("New password")
        self.fields["password_again"].label = gettext_lazy("New password again")


class StaffUserForm(_NewPassword):
    username = forms.CharField(label=gettext_lazy("User name"), max_length=150)
    role = forms.ChoiceField(label=gettext_lazy("Role"))
    email = forms.EmailField(label=gettext_lazy("E-mail address"), required=False)

    field_order = ["username", "role", "email", "password", "password_again"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        order = [roles.CLERK, roles.AUDITOR, roles.FINANCE, roles.SUPERVISOR, roles.ADMIN]
        self.fields["role"].choices = [(role, roles.role_name(role)) for role in order]


class PersonLoginForm(_NewPassword):
    citizen_id = forms.CharField(
        label=gettext_lazy("Citizen ID number"),
        max_length=18,
        help_text=gettext_lazy("The insured person's 18-character ID number, as registered."),
    )
    username = forms.CharField(label=gettext_lazy("User name"), max_length=150)

    field_order = ["citizen_id", "username", "password", "password_again"]


class UnitLoginForm(_NewPassword):
    uscc = forms.CharField(
        label=gettext_lazy("Unified social credit code"),
        max_length=18,
        help_text=gettext_lazy("The unit's 18-character code, as registered."),
    )
    username = forms.CharField(label=gettext_lazy("User name"), max_length=150)

    field_order = ["uscc", "username", "password", "password_again"]
