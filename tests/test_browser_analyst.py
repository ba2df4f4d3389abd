"""The analyst's browser in a real headless Chromium against a real `kg serve`, at 1280 and 390 px wide.

Each page an analyst reads (report, progress note, place, partner, list, search, query, dataset) is
opened at both widths: nothing is wider than the window, what the page exists for is there, and a
screenshot is saved to a folder the run prints (not committed; look at them). A crawl from the home
page follows every internal link: each answers without a 5xx, and no page is wider than a phone.
"""
from __future__ import annotations

import os
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from helpers import chromium

CHROMIUM, DRIVER = chromium()

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

SHOTS = Path(os.environ.get("KG_SCREENSHOTS") or tempfile.mkdtemp(prefix="kg-screenshots-"))
PAGES = {  # name: (path, CSS selector of what the page exists for)
    "report": ("/id/report/MLI-2021", "article.outcome-card"),
    "note": ("/id/note/MLI-2021/XM-DAC-41146-MLI_D_1.1", ".narrative a.hl-figure"),
    "place": ("/id/place/ML", "figure.chart.bars svg"),
    "partner": ("/id/org/undp", "span.reached"),
    "list": ("/list/figures?sex=Female", "aside.facets"),
    "search": ("/search?q=voters", "li.hit mark"),
    "query": ("/query?example=partially-achieved", "table.results"),
    "dataset": ("/.well-known/void", "ul.downloads-list"),
}
WIDER_THAN = "return document.documentElement.scrollWidth"


def _driver(tmp: Path, phone: bool) -> webdriver.Chrome:
    os.environ.setdefault("SE_AVOID_STATS", "true")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1280,900", f"--user-data-dir={tmp}"):
        opts.add_argument(flag)
    if phone:  # a phone's viewport: headless Chromium's windows are never narrower than 500 px otherwise
        opts.add_experimental_option("mobileEmulation", {"deviceMetrics": {"width": 390, "height": 844,
                                                                           "pixelRatio": 1}})
    d = webdriver.Chrome(service=Service(DRIVER), options=opts)
    d.set_page_load_timeout(30)
    return d


@pytest.fixture(scope="module", params=[1280, 390], ids=["desktop", "phone"])
def browser(request, tmp_path_factory):
    d = _driver(tmp_path_factory.mktemp("chromium"), phone=request.param == 390)
    yield request.param, d
    d.quit()


@pytest.mark.parametrize("name", list(PAGES))
def test_each_analyst_page_fits_the_window_and_shows_what_it_is_for(live_server, browser, name):
    width, d = browser
    path, selector = PAGES[name]
    d.get(live_server + path)
    assert d.find_elements(By.CSS_SELECTOR, selector), f"{name}: no {selector!r} on {path}"
    assert d.execute_script(WIDER_THAN) <= d.execute_script("return window.innerWidth"), f"{name} is too wide"
    SHOTS.mkdir(parents=True, exist_ok=True)
    height = d.execute_script("return document.documentElement.scrollHeight")
    if width > 500:
        d.set_window_size(width, min(height + 120, 8000))
    d.save_screenshot(str(SHOTS / f"{name}-{width}.png"))
    if width > 500:
        d.set_window_size(width, 900)
    print(f"\nscreenshot: {SHOTS / f'{name}-{width}.png'}")


def test_the_status_column_is_visible_at_phone_width(live_server, browser):
    width, d = browser
    if width > 500:
        pytest.skip("a phone's test")
    d.get(live_server + "/id/place/ML")
    badge = d.find_element(By.CSS_SELECTOR, "table.notes .badge")
    left = badge.location["x"]
    assert left >= 0 and left + badge.size["width"] <= 390  # second column: seen without scrolling the table


def test_a_crawl_from_home_finds_no_broken_link_and_no_page_wider_than_a_phone(live_server, tmp_path):
    """Every internal link reachable from the home page (downloads and query results excepted: their
    own tests read them) answers below 500 and, the entity, list and search pages, with 2xx."""
    seen, todo, failures = set(), ["/"], []
    d = _driver(tmp_path / "crawl", phone=True)
    try:
        while todo and len(seen) < 300:
            path = todo.pop(0)
            if path in seen:
                continue
            seen.add(path)
            try:
                with urllib.request.urlopen(urllib.request.Request(live_server + path,
                                                                   headers={"Accept": "text/html"})) as r:
                    status, kind = r.status, r.headers.get_content_type()
            except urllib.error.HTTPError as e:
                status, kind = e.code, ""
            if status >= 500 or (status >= 400 and not path.startswith("/sparql")):
                failures.append((path, status))
                continue
            if kind != "text/html":
                continue
            d.get(live_server + path)
            if d.execute_script(WIDER_THAN) > 390:
                failures.append((path, "wider than 390 px"))
            for a in d.find_elements(By.CSS_SELECTOR, "a[href]"):
                href = a.get_attribute("href") or ""
                u = urllib.parse.urlsplit(href)
                if not href.startswith(live_server) or u.path.startswith(("/dumps/", "/static/")):
                    continue
                if u.path.startswith("/sparql") or "format=" in u.query or u.path.endswith(
                        (".ttl", ".jsonld", ".rdf", ".nt")):
                    continue
                target = u.path + (f"?{u.query}" if u.query else "")
                if target not in seen and target not in todo:
                    todo.append(target)
    finally:
        d.quit()
    assert len(seen) > 100, f"the crawl found only {len(seen)} pages"
    assert failures == [], failures[:20]



# ---- each numbered point of the issue, as an analyst clicks through it ----------------------


@pytest.fixture(scope="module")
def desktop(tmp_path_factory):
    d = _driver(tmp_path_factory.mktemp("chromium-desktop"), phone=False)
    yield d
    d.quit()


def test_point_1_the_report_card_opens_the_count_behind_people_reached(live_server, desktop):
    desktop.get(live_server + "/id/report/MLI-2021")
    card = desktop.find_element(By.CSS_SELECTOR, "article.outcome-card#XM-DAC-41146-MLI_D_1-1")
    link = card.find_element(By.CSS_SELECTOR, ".reached-part a")
    assert link.text == "up to 868"
    link.click()
    assert "/id/dataset/people-reached-by-outcome/ML/2021/F/" in desktop.current_url
    assert "827" in desktop.find_element(By.CSS_SELECTOR, "main").text  # an addend, with its sentence


def test_point_2_a_marked_figure_in_the_narrative_opens_its_page(live_server, desktop):
    desktop.get(live_server + "/id/note/MLI-2021/XM-DAC-41146-MLI_D_1.1")
    fig = next(a for a in desktop.find_elements(By.CSS_SELECTOR, ".narrative a.hl-figure") if a.text == "827")
    fig.click()
    assert "/figure/" in desktop.current_url and "827" in desktop.find_element(By.TAG_NAME, "h1").text


def test_point_4_a_facet_filters_and_a_column_sorts_the_list(live_server, desktop):
    desktop.get(live_server + "/list/partners")
    before = len(desktop.find_elements(By.CSS_SELECTOR, "table.list tbody tr"))
    desktop.find_element(By.LINK_TEXT, "Government").click()
    rows = desktop.find_elements(By.CSS_SELECTOR, "table.list tbody tr")
    assert 0 < len(rows) < before and all("Government" in r.text for r in rows)
    desktop.find_element(By.PARTIAL_LINK_TEXT, "Name").click()
    names = [r.find_element(By.CSS_SELECTOR, "td a").text for r in
             desktop.find_elements(By.CSS_SELECTOR, "table.list tbody tr")]
    assert names == sorted(names, key=str.casefold)
    csv_link = desktop.find_element(By.LINK_TEXT, "CSV").get_attribute("href")
    with urllib.request.urlopen(csv_link) as r:
        assert len(r.read().decode("utf-8").strip().splitlines()) == len(names) + 1


def test_point_5_search_by_a_word_of_a_narrative_then_filter_by_type(live_server, desktop):
    desktop.get(live_server + "/")
    box = desktop.find_element(By.ID, "nav-q")
    box.send_keys("electoral")
    box.submit()
    assert desktop.find_elements(By.CSS_SELECTOR, "li.hit mark")
    desktop.find_element(By.PARTIAL_LINK_TEXT, "Progress note").click()
    kinds = {b.text for b in desktop.find_elements(By.CSS_SELECTOR, "li.hit .badge.kind")}
    assert kinds == {"Progress note"}


def test_point_6_the_query_page_sorts_by_a_clicked_column(live_server, desktop):
    desktop.get(live_server + "/query?example=partners")
    desktop.find_element(By.LINK_TEXT, "outcomes").click()
    desktop.find_element(By.PARTIAL_LINK_TEXT, "outcomes").click()  # again: descending
    values = [int(td.text) for td in desktop.find_elements(By.CSS_SELECTOR, "table.results tbody tr td:nth-child(4)")]
    assert values == sorted(values, reverse=True) and "rows in" in desktop.find_element(By.ID, "results").text


def test_points_7_and_8_the_data_link_leads_to_dumps_that_download(live_server, desktop):
    desktop.get(live_server + "/")
    desktop.find_element(By.LINK_TEXT, "Data").click()
    assert "Creative Commons" in desktop.find_element(By.TAG_NAME, "main").text
    href = desktop.find_element(By.CSS_SELECTOR, "ul.downloads-list a").get_attribute("href")
    with urllib.request.urlopen(href) as r:
        assert r.status == 200 and r.read(2) == b"\x1f\x8b"


def test_point_10_the_icon_loads_and_a_figure_names_its_note(live_server, desktop):
    desktop.get(live_server + "/id/note/MLI-2021/XM-DAC-41146-MLI_D_1.1/figure/1")
    icon = desktop.find_element(By.CSS_SELECTOR, "link[rel=icon]").get_attribute("href")
    with urllib.request.urlopen(icon) as r:
        assert r.status == 200 and b"<svg" in r.read()
    assert "XM-DAC-41146-MLI_D_1.1" in desktop.find_element(By.CSS_SELECTOR, "p.in-note").text


def test_point_3_the_pictures_are_drawn_in_proportion_to_their_numbers(live_server, desktop):
    """Drawn on the server, laid out by the browser: each bar's rendered width is in proportion to the
    number its own title states, on the report's status bar and on a country's ranked bars."""
    desktop.get(live_server + "/id/report/MLI-2021")
    bar = desktop.find_element(By.CSS_SELECTOR, "figure.status-bar svg")
    assert bar.size["width"] > 0 and bar.size["height"] > 0
    rects = bar.find_elements(By.CSS_SELECTOR, "rect")
    counts = [int(r.find_element(By.TAG_NAME, "title").get_attribute("textContent").rsplit(": ", 1)[1]) for r in rects]
    widths = [r.rect["width"] for r in rects]
    for n, w in zip(counts, widths):
        assert abs(w / sum(widths) - n / sum(counts)) < 0.02
    desktop.get(live_server + "/id/place/ML")
    rects = desktop.find_elements(By.CSS_SELECTOR, "figure.chart.bars svg rect.bar")
    widths = [r.rect["width"] for r in rects]
    assert len(widths) >= 2 and widths == sorted(widths, reverse=True) and widths[-1] > 0  # ranked, all drawn


def test_point_1_a_partner_role_says_which_words_state_it(live_server, desktop):
    desktop.get(live_server + "/id/report/MLI-2021")
    card = desktop.find_element(By.CSS_SELECTOR, "article.outcome-card#XM-DAC-41146-MLI_D_1-1")
    role = card.find_element(By.CSS_SELECTOR, "a.role-collaborating-partner")
    assert role.text == "collaborating partner" and role.get_attribute("title") == "the report says: “with the support of”"
    role.click()
    assert desktop.current_url.endswith("/def#CollaboratingPartner")
