"""The home page over plain HTTP: languages, links, regions and the health check."""

import re

from django.test import Client


def test_home_page_is_chinese_by_default():
    page = Client().get("/")
    html = page.content.decode()
    assert page.status_code == 200
    assert '<html lang="zh-Hans">' in html
    assert "社会保险登记、缴费、个人账户与账户清算。" in html
    assert "北京市" in html
    assert 'href="/api/v1/docs"' in html and 'href="/login"' in html


def test_home_page_follows_the_browser_language():
    html = Client(HTTP_ACCEPT_LANGUAGE="en").get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Social insurance registration, contributions, individual accounts" in html
    assert "Beijing" in html and "cn-bj" in html


def test_language_switch_remembers_the_choice():
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans", enforce_csrf_checks=False)
    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert switched.status_code == 302 and switched["Location"] == "/"
    assert '<html lang="en">' in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert '<html lang="zh-Hans">' in client.get("/").content.decode()


def test_language_switch_offers_each_language_in_its_own_name():
    for language in ("en", "zh-hans"):
        html = Client(HTTP_ACCEPT_LANGUAGE=language).get("/").content.decode()
        assert 'action="/i18n/setlang/"' in html
        assert ">English</button>" in html and ">简体中文</button>" in html


def test_home_page_loads_nothing_from_other_hosts():
    html = Client().get("/").content.decode()
    assert not re.search(r'(src|href)="(https?:)?//', html)


def test_api_docs_page_loads_nothing_from_other_hosts():
    page = Client().get("/api/v1/docs")
    html = page.content.decode()
    assert page.status_code == 200
    assert not re.search(r'(src|href)="(https?:)?//', html), "the docs must not use a CDN"
    assert "/static/ninja/swagger-ui-bundle.js" in html


def test_home_page_refuses_writes():
    assert Client().post("/").status_code == 405


def test_health_check_reports_the_database(db):
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up", "storage": "up"}
    assert "no-cache" in response["Cache-Control"]
