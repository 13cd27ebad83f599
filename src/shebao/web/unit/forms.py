"""The unit portal's forms. What the representative typed goes to the registry's and the
ledger's services, which check it; a refusal comes back on the form in their words."""

from django import forms
from django.utils.translation import gettext_lazy as _

from shebao.web.desk.registry.forms import DATE


class HireForm(forms.Form):
    """A new hire, named by ID number and name (the name vouches for the number)."""

    citizen_id = forms.CharField(label=_("Citizen ID number"), max_length=18)
    name = forms.CharField(label=_("Name"), max_length=100)
    started_on = forms.CharField(label=_("Employment started on"), widget=DATE)
    monthly_wage = forms.CharField(label=_("Monthly wage (yuan)"), max_length=20)
