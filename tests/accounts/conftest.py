import pytest
from django.test import Client


@pytest.fixture
def admin_site_as(make_user):
    """``admin_site_as("auditor")``: a browser logged in to the admin site with that role."""
    counter = {"n": 0}

    def login(role, user=None):
        if user is None:
            counter["n"] += 1
            user = make_user(f"site-{role}{counter['n']}", role)
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
        client.user = user
        return client

    return login
