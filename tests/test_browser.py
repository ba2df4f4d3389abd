"""End to end, as an analyst would: a real headless Chromium against a real `kg serve`.

Search for a partner, open an outcome it is named in, follow a figure to the sentence it was
read from, and run an example query. Debian's chromium and chromium-driver are installed by
.ci/run; elsewhere the test is skipped when they are missing (under CI it fails instead).
"""
from __future__ import annotations

import os

import pytest

from helpers import chromium

CHROMIUM, DRIVER = chromium()

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    os.environ.setdefault("SE_AVOID_STATS", "true")  # selenium's telemetry would try the network
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                 "--no-first-run", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--window-size=1200,900",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        opts.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def _wait(driver, condition, seconds: float = 15):
    return WebDriverWait(driver, seconds).until(condition)


def _first_link(driver, fragment: str, exclude: str | None = None):
    for a in driver.find_elements(By.CSS_SELECTOR, "main a[href]"):
        href = a.get_attribute("href") or ""
        if fragment in href and (exclude is None or exclude not in href) and not href.endswith(
                (".ttl", ".jsonld", ".rdf", ".nt")):
            return a
    raise AssertionError(f"no link containing {fragment!r} on {driver.current_url}")


def test_search_partner_open_outcome_follow_figure_run_query(live_server, browser):
    d = browser
    d.get(live_server + "/")
    assert "Results KG" in d.title
    box = d.find_element(By.CSS_SELECTOR, "input[name=q]")
    box.send_keys("fba")
    box.submit()
    hit = _wait(d, EC.element_to_be_clickable((By.PARTIAL_LINK_TEXT, "Folke Bernadotte")))
    hit.click()
    _wait(d, EC.url_contains("/id/org/folke-bernadotte-academy"))
    assert "Folke Bernadotte Academy" in d.find_element(By.TAG_NAME, "h1").text

    # the partner page lists the outcomes it is involved in; open one
    _first_link(d, "/id/outcome/").click()
    _wait(d, EC.url_contains("/id/outcome/"))
    assert "MLI_D_4.1" in d.find_element(By.TAG_NAME, "main").text

    # the outcome's yearly note, then one of its figures
    _first_link(d, "/id/note/", exclude="/figure/").click()
    _wait(d, EC.url_contains("/id/note/"))
    figure = _first_link(d, "/figure/")
    figure.click()
    _wait(d, EC.url_contains("/figure/"))
    mark = d.find_element(By.CSS_SELECTOR, "main mark")
    quote = mark.find_element(By.XPATH, "./..").text
    assert mark.text.strip() and mark.text.strip()[0].isdigit()
    assert len(quote) > len(mark.text) + 20  # the sentence around the number is quoted
    assert _first_link(d, "/id/report/MLI-2021")

    # run an example query and see its results as a table
    d.get(live_server + "/query")
    _first_link(d, "example=partially-achieved").click()  # a question the seed alone answers
    # wait by URL, not by element: the query page and the example's page both have a form and a table,
    # so an element found too early can belong to the page being left (a stale element)
    _wait(d, EC.url_contains("example=partially-achieved"))
    d.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    _wait(d, EC.url_contains("query="))
    rows = _wait(d, lambda drv: drv.find_elements(By.CSS_SELECTOR, "main table tbody tr"))
    assert rows, "the example query returned rows"
    assert "query=" in d.current_url  # the results page has a shareable URL
