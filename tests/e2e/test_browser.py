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
    staff = tab.locator("a.button", has_text="Staff login")
    assert docs.get_attribute("href") == "/api/v1/docs"
    assert staff.get_attribute("href") == "/admin/"
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
    assert tab.locator("a.button", has_text="员工登录").get_attribute("href") == "/admin/"
    assert "北京市" in tab.locator(".regions").inner_text()

    with tab.expect_navigation():
        tab.get_by_role("button", name="English").click()
    assert tab.locator("html").get_attribute("lang") == "en"
    assert tab.locator("a.button", has_text="Staff login").is_visible()


def test_clerk_logs_in_at_the_staff_login(browser_page):
    from shebao.accounts.services import user_create

    user_create(actor=None, username="clerk", password="counter-pass-2025", role="clerk")
    page = browser_page
    page.open("/")
    tab = page.tab
    with tab.expect_navigation():
        tab.locator("a.button", has_text="Staff login").click()

    tab.fill("#id_username", "clerk")
    tab.fill("#id_password", "wrong-password")
    with tab.expect_navigation():
        tab.locator("input[type=submit]").click()
    assert tab.locator(".errornote").is_visible()

    tab.fill("#id_username", "clerk")
    tab.fill("#id_password", "counter-pass-2025")
    with tab.expect_navigation():
        tab.locator("input[type=submit]").click()
    assert tab.url.rstrip("/").endswith("/admin")
    assert "clerk" in tab.locator("#user-tools").inner_text().lower()
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
