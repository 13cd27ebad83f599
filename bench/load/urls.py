"""Shebao's URLs and ``bench/bare``: a Django view that reads nothing and returns a fixed
JSON body, through the same middleware, server and workers as the API."""

from django.http import JsonResponse
from django.urls import path

from shebao.urls import urlpatterns as shebao_urlpatterns


def bare(request):
    return JsonResponse({"ok": True})


urlpatterns = [path("bench/bare", bare, name="bench-bare"), *shebao_urlpatterns]
