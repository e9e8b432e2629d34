"""Layout a person notices in the first minute: a phone-sized header, the skip link, a live Log out."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import login
from tests.factories import TenantFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("e2e")]


def _admin(page: Any) -> None:
    tenant = TenantFactory(name="Acme Freight and Logistics", slug="acme")
    UserFactory(tenant=tenant, role="admin", email="admin@acme.example")
    login(page, "admin@acme.example")


def test_header_takes_at_most_a_fifth_of_a_390px_phone_screen(page: Any) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    _admin(page)
    page.goto("/customers/")

    height = page.locator("header.topbar").bounding_box()["height"]

    page.shots("phone-header")
    assert height <= 844 * 0.2, f"header is {height:.0f}px of 844px"
    assert page.get_by_role("button", name="Log out").is_visible()


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_the_content(page: Any) -> None:
    _admin(page)
    page.goto("/customers/")

    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    assert page.locator(".skip-link").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def _luminance(rgb: str) -> float:
    parts = [int(float(x)) for x in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3]]
    lin = [(c / 255) / 12.92 if c / 255 <= 0.03928 else (((c / 255) + 0.055) / 1.055) ** 2.4 for c in parts]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def test_log_out_reads_as_an_enabled_button_against_the_header(page: Any) -> None:
    _admin(page)
    button = page.get_by_role("button", name="Log out")
    style = button.evaluate(
        "b => { const s = getComputedStyle(b); return {color: s.color, opacity: s.opacity, "
        "bg: getComputedStyle(document.querySelector('header.topbar')).backgroundColor}; }"
    )
    fg, bg = _luminance(style["color"]), _luminance(style["bg"])
    contrast = (max(fg, bg) + 0.05) / (min(fg, bg) + 0.05)
    assert float(style["opacity"]) == 1.0
    assert contrast >= 4.5, f"Log out text contrast {contrast:.1f}:1 ({style})"


def test_every_page_links_a_favicon_that_is_served(page: Any) -> None:
    _admin(page)
    href = page.locator("link[rel=icon]").get_attribute("href")
    assert href
    response = page.request.get(href)
    assert response.status == 200
    assert "svg" in response.headers["content-type"]
