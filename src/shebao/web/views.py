from django.shortcuts import render

from shebao.policy.registry import all_regions


def home(request):
    return render(request, "web/home.html", {"regions": all_regions()})
