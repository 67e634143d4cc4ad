"""The quote as a PDF: page and API downloads, read back with pypdf; Unicode names; permissions."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from accord.contacts.actions import create_company
from accord.quotes import actions
from accord.quotes.pdf import FALLBACK_NOTE, Font, find_font, quote_pdf
from accord.quotes.tests.fixtures import World, quote_with
from accord.sales.actions import create_deal
from conftest import sign_in

pytestmark = pytest.mark.django_db


def text_of(pdf: bytes) -> str:
    """The PDF's text, page by page, with runs of whitespace made single spaces."""
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_download_from_the_quote_page(world: World, client: Any) -> None:
    quote = quote_with(world, (world.platform, "2", "10"), (world.addon, "3", "0"))
    actions.update_quote(quote, by=world.ae, terms="Net 30.\nPrices exclude VAT.")
    client.force_login(world.ae)
    page = client.get(f"/quotes/{quote.pk}/").content.decode()
    assert f'href="/quotes/{quote.pk}/pdf/"' in page
    response = client.get(f"/quotes/{quote.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="Quote-{quote.number}.pdf"'
    assert response.content.startswith(b"%PDF-")
    text = text_of(response.content)
    for expected in (
        f"Quote {quote.number}", "Proposal", "Acme Corp", "Acme platform", "Platform", "PLAT",
        "Analytics add-on", "2,160.00", "999.99", "Subtotal 3,399.99", "Discount −240.00",
        "Total (USD) 3,159.99", "10%", "Net 30.", "Prices exclude VAT.", "Page 1 of 1",
    ):  # fmt: skip
        assert expected in text, expected
    metadata = PdfReader(io.BytesIO(response.content)).metadata
    assert metadata is not None and metadata.title == f"Quote {quote.number}"


def test_names_in_other_scripts_print_as_written(world: World) -> None:
    assert find_font().regular is not None, (
        "no Unicode TrueType font found (fonts-dejavu-core or fonts-liberation)"
    )
    company = create_company(name="Zoë Łukasz Ørsted GmbH", domain="zoe.test")
    deal = create_deal(name="Σίσυφος — Москва", pipeline=world.pipeline, owner=world.ae, company=company)
    quote = quote_with(world, (world.platform, "1", "0"), deal=deal)
    text = text_of(quote_pdf(quote))
    assert "Zoë Łukasz Ørsted GmbH" in text and "Σίσυφος — Москва" in text
    assert FALLBACK_NOTE not in text


def test_without_a_unicode_font_it_still_renders_and_says_what_it_replaced(world: World) -> None:
    company = create_company(name="Łódź Ørsted", domain="lodz.test")
    deal = create_deal(name="Plain deal", pipeline=world.pipeline, owner=world.ae, company=company)
    quote = quote_with(world, (world.platform, "1", "0"), deal=deal)
    text = text_of(quote_pdf(quote, font=Font(None, None)))
    assert "?ód? Ørsted" in text  # Ł and ź are not Latin-1; Ø and ó are
    assert FALLBACK_NOTE in text
    plain = quote_with(world, (world.platform, "1", "0"))
    assert FALLBACK_NOTE not in text_of(quote_pdf(plain, font=Font(None, None)))


def test_empty_quote_and_a_long_one_over_several_pages(world: World) -> None:
    empty = quote_with(world)
    assert "No lines." in text_of(quote_pdf(empty))
    long = quote_with(world, *[(world.addon, str(n), "0") for n in range(1, 61)])
    reader = PdfReader(io.BytesIO(quote_pdf(long)))
    pages = len(reader.pages)
    assert pages >= 2
    text = text_of(quote_pdf(long))
    assert f"Page {pages} of {pages}" in text
    assert "Item" in reader.pages[1].extract_text()  # the headings repeat on each page
    assert f"Total (USD) {long.total:,.2f}" in text


def test_permissions_page_and_api(world: World, client: Any, api_client_for: Any) -> None:
    quote = quote_with(world, (world.platform, "1", "0"))
    client.force_login(world.marketer)
    assert client.get(f"/quotes/{quote.pk}/pdf/").status_code == 403
    client.force_login(world.sdr)  # read-only users may download, as they may print
    assert client.get(f"/quotes/{quote.pk}/pdf/").status_code == 200
    assert client.get("/quotes/999999/pdf/").status_code == 404
    client.logout()
    assert client.get(f"/quotes/{quote.pk}/pdf/").status_code == 302  # to the login page

    api = api_client_for(world.other_ae)
    response = api.get(f"/api/quotes/{quote.pk}/pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert f"Quote {quote.number}" in text_of(response.content)
    missing = api.get("/api/quotes/999999/pdf")
    assert missing.status_code == 404 and "does not exist" in missing.json()["message"]
    assert api_client_for(world.marketer).get(f"/api/quotes/{quote.pk}/pdf").status_code == 403


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_download_button_in_chromium(world: World, page: Any, live_server: Any) -> None:
    quote = quote_with(world, (world.platform, "1", "0"))
    sign_in(page, f"{live_server.url}/quotes/{quote.pk}/", world.ae.username)
    with page.expect_download() as info:
        page.get_by_role("link", name="Download PDF").click()
    download = info.value
    assert download.suggested_filename == f"Quote-{quote.number}.pdf"
    data = Path(download.path()).read_bytes()
    assert f"Quote {quote.number}" in text_of(data) and "1,200.00" in text_of(data)
