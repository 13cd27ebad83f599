"""What a person sees in a real browser: the home page, the staff login, the API docs."""

import pytest

pytestmark = pytest.mark.browser


def test_home_page_shows_shebao_its_links_and_regions(browser_page):
    page = browser_page
    page.open("/")
    tab = page.tab

    assert "Shebao" in tab.locator("h1").inner_text()
    assert tab.locator("html").get_attribute("lang") == "en"
    docs = tab.locator("a.button", has_text="API documentation")
    login = tab.locator("a.button", has_text="Log in")
    assert docs.get_attribute("href") == "/api/v1/docs"
    assert login.get_attribute("href") == "/login"
    assert "Beijing" in tab.locator(".regions").inner_text()
    assert tab.locator(".steps li").count() == 5
    # The vendored stylesheet was served and applied (the brand colour).
    colour = tab.eval_on_selector(".brand-mark", "e => getComputedStyle(e).backgroundColor")
    assert colour == "rgb(179, 38, 30)"
    assert page.foreign_requests == []
    assert page.csp_violations == []


def test_language_switch_turns_the_page_chinese_and_back(browser_page):
    page = browser_page
    page.open("/")
    tab = page.tab

    with tab.expect_navigation():
        tab.get_by_role("button", name="简体中文").click()
    assert tab.locator("html").get_attribute("lang") == "zh-Hans"
    assert tab.locator("a.button", has_text="登录").get_attribute("href") == "/login"
    assert "北京市" in tab.locator(".regions").inner_text()

    with tab.expect_navigation():
        tab.get_by_role("button", name="English").click()
    assert tab.locator("html").get_attribute("lang") == "en"
    assert tab.locator("a.button", has_text="Log in").is_visible()


def test_clerk_logs_in_from_the_home_page_and_lands_on_the_desk(browser_page):
    from shebao.accounts.services import user_create

    user_create(actor=None, username="clerk", password="counter-pass-2025", role="clerk")
    page = browser_page
    page.open("/")
    tab = page.tab
    with tab.expect_navigation():
        tab.locator("a.button", has_text="Log in").click()

    tab.fill("#id_username", "clerk")
    tab.fill("#id_password", "wrong-password")
    with tab.expect_navigation():
        tab.locator("main button[type=submit]").click()
    assert tab.locator(".error-summary").is_visible()

    tab.fill("#id_username", "clerk")
    tab.fill("#id_password", "counter-pass-2025")
    with tab.expect_navigation():
        tab.locator("main button[type=submit]").click()
    assert tab.url.endswith("/desk/")
    assert "clerk" in tab.locator(".user-menu").inner_text()
    page.assert_accessible()
    with tab.expect_navigation():
        tab.get_by_role("button", name="Log out").click()
    assert tab.url.endswith("/login")
    assert page.foreign_requests == []
    assert page.csp_violations == []


def test_the_admin_site_works_under_the_content_security_policy(browser_page):
    from shebao.accounts.services import user_create

    boss = user_create(actor=None, username="boss", password="admin-pass-2025", role="admin")
    page = browser_page
    page.open("/admin/login/")
    tab = page.tab
    tab.fill("#id_username", "boss")
    tab.fill("#id_password", "admin-pass-2025")
    with tab.expect_navigation():
        tab.locator("input[type=submit]").click()
    for path in (
        "/admin/",
        "/admin/accounts/user/",
        f"/admin/accounts/user/{boss.pk}/change/",
        "/admin/accounts/user/add/",
        "/admin/audit/auditevent/",
        "/admin/accounts/loginfailure/",
    ):
        page.open(path)
        tab.wait_for_load_state("networkidle")
    assert page.csp_violations == []


def test_api_docs_render_from_local_files(browser_page):
    page = browser_page
    response = page.open("/api/v1/docs")
    tab = page.tab

    title = tab.locator(".swagger-ui .info .title")
    title.wait_for()
    assert "Shebao API" in title.inner_text()
    # The operations come from the local OpenAPI document.
    tab.locator(".opblock-summary-path", has_text="/api/v1/auth/token").first.wait_for()
    assert page.foreign_requests == []
    # Swagger UI runs under the site's Content-Security-Policy with nothing blocked.
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert page.csp_violations == []
