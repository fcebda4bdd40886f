"""The review's XLSX (opened with openpyxl, its cells checked) and PDF (its text read back), with the embedded
CJK font and with the built-in fallback, from the page's links and from the API."""

from __future__ import annotations

import io
from decimal import Decimal

import pypdfium2
import pytest
from django.urls import reverse
from openpyxl import load_workbook

from zhanggui.core.tests.pages import login
from zhanggui.planning import review, review_exports
from zhanggui.planning.tests.review_fixtures import MONTH, YEAR, build_month

D = Decimal
pytestmark = pytest.mark.django_db
QUERY = f"?shop=tb01&year={YEAR}&month={MONTH}"


@pytest.fixture
def closed(shop, manager, operator):
    build_month(shop)
    review.save_texts(
        actor=operator, shop=shop, year=YEAR, month=MONTH,
        texts={"went_well": "直通车投产比达到 4", "next_activities": "618 大促：主推 A款"},
    )  # fmt: skip
    return review.close(actor=manager, shop=shop, year=YEAR, month=MONTH)


def pdf_text(data: bytes) -> str:
    doc = pypdfium2.PdfDocument(data)
    return "\n".join(doc[n].get_textpage().get_text_range() for n in range(len(doc)))


def rows_of(data: bytes) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(data)).active
    return [[c for c in row] for row in sheet.iter_rows(values_only=True)]


def find(rows, first):
    return next(row for row in rows if row and row[0] == first)


def test_the_xlsx_holds_the_figures_as_numbers(client, closed, manager):
    response = login(client, manager).get(reverse("planning:review-xlsx") + QUERY)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="review-tb01-2026-05.xlsx"'
    rows = rows_of(response.content)
    assert rows[0][0] == "Monthly review (月度运营总结及计划表) · 淘宝店 · 2026-05"
    gmv = find(rows, "GMV")
    assert [D(str(v)) for v in gmv[1:8]] == [D("390"), D("500"), D("0.78"), D("200"), D("0.95"), D("300"), D("0.3")]
    assert find(rows, "Orders")[1] == 3
    assert find(rows, "Change in GMV")[1] == 190
    assert [find(rows, label)[1] for label in ("UV", "conversion", "AOV")] == [40, 60, 90]
    assert find(rows, "A")[2:5] == [2, 300, 220]  # units, revenue, profit
    assert find(rows, "直通车 / 万相台")[1:4] == [50, 200, 4]
    assert find(rows, "Quality problem")[1:3] == [1, 90]
    texts = [row[0] for row in rows if row]
    assert texts[texts.index("What went well") + 1] == "直通车投产比达到 4"
    sheet = load_workbook(io.BytesIO(response.content)).active
    gmv_row = next(r for r in sheet.iter_rows() if r[0].value == "GMV")
    assert gmv_row[1].number_format == "#,##0.00" and gmv_row[3].number_format == "0.00%"


@pytest.mark.parametrize("font", ["auto", None], ids=["embedded CJK font", "built-in fallback"])
def test_the_pdf_reads_back_in_chinese(closed, font):
    found = review.figures_of(closed)
    data = review_exports.pdf(found, closed, font=font)
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert "月度运营总结" in text and "淘宝店" in text
    assert "¥390.00" in text and "¥500.00" in text and "78.00%" in text
    assert "直通车投产比达到 4" in text and "618 大促：主推 A款" in text
    assert "UV +¥40.00" in text


def test_the_pdf_in_chinese_from_the_page(client, closed, manager):
    response = login(client, manager, language="zh-hans").get(reverse("planning:review-pdf") + QUERY)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "月度运营总结" in text and "¥390.00" in text and "访客数 +¥40.00" in text


def test_the_system_font_is_embedded_where_there_is_one(closed):
    found = review_exports.cjk_font()
    if found is None:
        pytest.skip("no CJK font on this machine: the fallback is tested above")
    data = review_exports.pdf(review.figures_of(closed), closed)
    assert b"/FontFile" in data  # embedded (a subset), not named for the reader to supply


def test_the_api_gives_the_closed_figures_and_the_exports(client, closed, manager):
    login(client, manager)
    body = client.get(f"/api/v1/planning/reviews{QUERY}").json()
    assert body["closed"] is True and body["texts"]["went_well"] == "直通车投产比达到 4"
    assert review.figure(body["figures"], "gmv")["now"] == "390.00"
    assert body["sentences"][0].startswith("GMV +¥190.00")
    xlsx = client.get(f"/api/v1/planning/reviews/xlsx{QUERY}")
    assert xlsx.status_code == 200 and find(rows_of(xlsx.content), "Orders")[1] == 3
    pdf = client.get(f"/api/v1/planning/reviews/pdf{QUERY}")
    assert pdf.status_code == 200 and "¥390.00" in pdf_text(pdf.content)


def test_the_api_writes_texts_closes_and_reopens(client, shop, manager, operator):
    login(client, operator)
    ref = {"shop": "tb01", "year": YEAR, "month": MONTH}
    put = client.put("/api/v1/planning/reviews", {**ref, "problems": "退款偏高"}, content_type="application/json")
    assert put.status_code == 200 and put.json()["texts"]["problems"] == "退款偏高"
    refused = client.post("/api/v1/planning/reviews/close", ref, content_type="application/json")
    assert refused.status_code == 403
    login(client, manager)
    assert client.post("/api/v1/planning/reviews/close", ref, content_type="application/json").json()["closed"]
    again = client.post("/api/v1/planning/reviews/close", ref, content_type="application/json")
    assert again.status_code == 409
    assert not client.post("/api/v1/planning/reviews/reopen", ref, content_type="application/json").json()["closed"]
