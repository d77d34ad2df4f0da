"""The public pages work for everyone [SPEC §7]: every piece of text meets WCAG AA contrast as
Chromium draws it, and a keyboard alone, with a visible focus, finds an agency and its receipt."""

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from filings.choices import FilingState as S
from filings.services import perform

# For every visible element with text of its own: its colour against the background actually
# behind it (ancestors' colours composited over white), and the WCAG threshold for its size.
CONTRAST_JS = """() => {
  const parse = c => {
    const m = c.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  };
  const over = (top, below) => ({r: top.r * top.a + below.r * (1 - top.a),
    g: top.g * top.a + below.g * (1 - top.a), b: top.b * top.a + below.b * (1 - top.a), a: 1});
  const lum = c => {
    const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const background = el => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; }
    }
    return layers.reverse().reduce((below, top) => over(top, below), {r: 255, g: 255, b: 255, a: 1});
  };
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || el.closest('[disabled], [aria-disabled="true"], [hidden], script, style, option')) continue;
    const rect = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (rect.width <= 1 || rect.height <= 1 || style.visibility !== 'visible') continue;  // screen-reader text
    const bg = background(el);
    const fg = over(parse(style.color), bg);
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight) >= 700;
    const large = size >= 24 || (bold && size >= 18.66);
    out.push({text: el.textContent.trim().slice(0, 30), tag: el.tagName, cls: el.className,
              ratio: Math.round((hi + 0.05) / (lo + 0.05) * 100) / 100, needed: large ? 3 : 4.5});
  }
  return out;
}"""


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()


@pytest.fixture
def directory(world):
    active = world.filing(state=S.ACTIVE, occupations=[world.electrician])
    suspended = world.filing(agency=world.xuhui_social, state=S.ACTIVE, occupations=[world.carer])
    perform(filing_id=suspended.pk, action="suspend", actor=world.city, comment="暂停评价")
    rectifying = world.filing(agency=world.school, state=S.ACTIVE, occupations=[world.electrician])
    perform(filing_id=rectifying.pk, action="order_rectification", actor=world.city, comment="限期整改")
    return active


def low_contrast(page) -> list[dict]:
    return [t for t in page.evaluate(CONTRAST_JS) if t["ratio"] < t["needed"]]


def test_every_text_on_the_public_pages_meets_wcag_aa_contrast(page, directory):
    """Results with an in-force and a suspended mark, bad-filter errors, the agency page and the
    verification page, as Chromium renders them."""
    checked = 0
    for path in ("/directory/", "/directory/?q=上海", "/directory/?level=99&kind=x",
                 f"/directory/{directory.number}/", f"/verify/{directory.number}/", "/verify/310000XXXX/"):
        page.goto(path)
        texts = page.evaluate(CONTRAST_JS)
        checked += len(texts)
        assert low_contrast(page) == [], path
    assert checked > 100  # the check saw the pages' text, not an empty document


def test_the_marks_for_suspended_and_rectifying_agencies_are_legible(page, directory):
    """[SPEC §7, 002 §30]: the mark is there to be read."""
    page.goto("/directory/")
    results = page.get_by_role("region", name="评价机构目录查询结果")
    for mark in ("暂停评价", "限期整改"):
        expect(results.get_by_text(mark, exact=True)).to_be_visible()
    assert low_contrast(page) == []


def test_a_keyboard_alone_finds_an_agency_and_its_receipt_with_the_focus_always_visible(page, directory):
    page.goto("/directory/")
    _tab_to(page, page.get_by_label("机构名称"))
    page.keyboard.type("浦江")
    page.keyboard.press("Enter")

    link = page.get_by_role("link", name="上海浦江电气有限公司")
    expect(link).to_be_visible()
    _tab_to(page, link)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("上海浦江电气有限公司")

    _tab_to(page, page.get_by_role("link", name="核验备案回执"))
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_contain_text("现行有效")


def _tab_to(page, target, presses: int = 60):
    """Press Tab from where the focus is until `target` has it, and see the focus drawn there."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            assert _focus_is_visible(page)
            return
    pytest.fail(f"not reachable with Tab: {target}")


def _focus_is_visible(page) -> bool:
    """The focused element draws an outline or a ring (box-shadow) that it does not draw unfocused."""
    return page.evaluate("""() => {
      const s = getComputedStyle(document.activeElement);
      return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== 'none';
    }""")
