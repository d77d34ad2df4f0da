from tests.browser.conftest import login


def test_each_role_lands_on_its_own_dashboard(world, page):
    login(page, "pd_clerk")
    assert page.get_by_role("heading", level=1).inner_text()
    assert "机构用户" in page.content()
