"""Carrier claims (快递理赔): filing one for a shipped order's parcel (the order's carrier and tracking number by
default, at most what its goods were paid less the other live claims, a deadline of filed + the claim window),
settling it (paid = all claimed, partly paid, refused or withdrawn with a reason), the audit rows and the case's
timeline; the case page's section, the claims list (time left, filters, totals, export) and the API.

The order (conftest): T2001 shipped by 中通快递 ZT100, a T-shirt line paid ¥198.00 and a cap line paid ¥49.90:
its goods were paid ¥247.90."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone, translation
from openpyxl import load_workbook

from zhanggui.aftersales.claims import services as claims
from zhanggui.aftersales.claims.services import ClaimRuleBroken, InvalidClaimTransition
from zhanggui.aftersales.models import CarrierClaim, CaseEvent, ClaimStatus
from zhanggui.aftersales.tests.factories import CaseFactory
from zhanggui.core.errors import PermissionDeniedError
from zhanggui.core.models import AuditEntry
from zhanggui.core.services import create_api_token
from zhanggui.core.tests.pages import login
from zhanggui.orders.models import Order

pytestmark = pytest.mark.django_db
C = ClaimStatus
D = Decimal


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def shipped(order) -> Order:
    Order.objects.filter(pk=order.pk).update(carrier="中通快递", tracking_no="ZT100")
    order.refresh_from_db()
    return order


@pytest.fixture
def lost(shipped):
    """A lost-parcel case on the order."""
    return CaseFactory(order=shipped, shop=shipped.shop, kind="parcel_claim", reason="lost")


def file(actor, order, value="247.90", **extra) -> CarrierClaim:
    return claims.file_claim(
        actor=actor, order=order, value_claimed=value, evidence="签收记录无, 网点确认丢件", **extra
    )


def timeline(case) -> list[str]:
    return list(CaseEvent.objects.filter(case=case).order_by("at", "pk").values_list("reason", flat=True))


# ----- filing ---------------------------------------------------------------------------------------------------


def test_a_claim_takes_the_orders_parcel_and_a_deadline_of_the_claim_window(service, shipped, lost):
    before = timezone.now()
    claim = file(service, shipped, "198.00", case=lost)
    assert (claim.carrier, claim.tracking_no, claim.value_claimed, claim.status) == (
        "中通快递",
        "ZT100",
        D("198.00"),
        C.FILED,
    )
    assert claim.deadline == claim.filed_at + timedelta(days=30) and claim.filed_at >= before
    assert timeline(lost) == [f"carrier claim {claim} filed: 中通快递 ZT100, ¥198.00 claimed"]
    audit = AuditEntry.objects.get(action="carrier_claim.file")
    assert (audit.object_id, audit.after["value_claimed"], audit.after["case"]) == (
        str(claim.pk),
        "198.00",
        lost.number,
    )
    assert lost.status == "open"  # a claim writes on the timeline, it does not move the case


def test_the_window_is_a_setting_and_the_parcel_may_be_given(settings, service, shipped):
    settings.ZHANGGUI_CLAIM_WINDOW_DAYS = 7
    claim = file(service, shipped, "49.90", carrier="顺丰速运", tracking_no="SF1")
    assert (claim.carrier, claim.tracking_no, claim.deadline - claim.filed_at) == ("顺丰速运", "SF1", timedelta(days=7))
    assert claim.case is None and not CaseEvent.objects.exists()


def test_an_order_not_shipped_has_no_parcel_to_claim_for(service, unshipped):
    with pytest.raises(ClaimRuleBroken, match="has not been shipped"):
        file(service, unshipped, "10.00", carrier="中通快递", tracking_no="ZT9")
    assert not CarrierClaim.objects.exists() and not AuditEntry.objects.exists()


def test_a_claim_asks_at_most_what_the_goods_were_paid_less_the_other_live_claims(service, shipped):
    with pytest.raises(ClaimRuleBroken) as refused:
        file(service, shipped, "247.91")
    assert refused.value.message == (
        "¥247.91 claimed, but the goods of order T2001 were paid ¥247.90 and other claims on it ask ¥0.00: a carrier "
        "pays at most the goods' value, so at most ¥247.90."
    )
    first = file(service, shipped, "200.00")
    with pytest.raises(ClaimRuleBroken, match=r"other claims on it ask ¥200.00: .* so at most ¥47.90\."):
        file(service, shipped, "47.91")
    claims.settle_claim(actor=service, claim=first, status=C.WITHDRAWN, note="找到了")  # no longer asks anything
    assert file(service, shipped, "247.90").value_claimed == D("247.90")
    assert CarrierClaim.objects.count() == 2


def test_a_claim_needs_a_value_evidence_and_a_parcel(service, order):
    with pytest.raises(ClaimRuleBroken, match="no carrier or tracking number"):
        file(service, order, "10.00")  # shipped, but neither given nor on the order
    with pytest.raises(ClaimRuleBroken, match="Write the evidence"):
        claims.file_claim(
            actor=service, order=order, carrier="中通", tracking_no="Z", value_claimed="1.00", evidence=" "
        )
    with pytest.raises(ClaimRuleBroken, match="Give the value claimed"):
        file(service, order, "0", carrier="中通", tracking_no="Z")
    assert not CarrierClaim.objects.exists()


def test_a_case_of_another_order_is_refused(service, shipped, jd_order):
    other = CaseFactory(order=jd_order, shop=jd_order.shop)
    with pytest.raises(ClaimRuleBroken, match="is about order J3001, not T2001"):
        file(service, shipped, "10.00", case=other)


def test_only_those_who_handle_cases_file_and_settle(users, service, shipped):
    with pytest.raises(PermissionDeniedError):
        file(users["warehouse"], shipped, "10.00")
    claim = file(service, shipped, "10.00")
    with pytest.raises(PermissionDeniedError):
        claims.settle_claim(actor=users["designer"], claim=claim, status=C.PAID)
    claim.refresh_from_db()
    assert claim.status == C.FILED and AuditEntry.objects.filter(action="carrier_claim.settle").count() == 0


# ----- settling -------------------------------------------------------------------------------------------------


def test_paid_means_all_that_was_claimed_came_back(service, shipped, lost):
    claim = file(service, shipped, "198.00", case=lost)
    with pytest.raises(ClaimRuleBroken, match=r"Paid means all that was claimed \(¥198.00\) came back"):
        claims.settle_claim(actor=service, claim=claim, status=C.PAID, amount_recovered="150.00")
    with pytest.raises(ClaimRuleBroken, match=r"¥198\.01 recovered is more than the ¥198\.00 claimed"):
        claims.settle_claim(actor=service, claim=claim, status=C.PAID, amount_recovered="198.01")
    claim = claims.settle_claim(actor=service, claim=claim, status=C.PAID, note="赔付到账")
    assert (claim.status, claim.amount_recovered, claim.settled_at is not None) == (C.PAID, D("198.00"), True)
    assert timeline(lost)[-1] == f"carrier claim {claim} paid by the carrier: ¥198.00 of ¥198.00 recovered · 赔付到账"
    audit = AuditEntry.objects.get(action="carrier_claim.settle")
    assert (audit.before, audit.after) == (
        {"status": "filed", "amount_recovered": "0.00"},
        {"status": "paid", "amount_recovered": "198.00"},
    )
    with pytest.raises(InvalidClaimTransition, match="is paid by the carrier: it cannot become refused"):
        claims.settle_claim(actor=service, claim=claim, status=C.REFUSED, note="x")


def test_partly_paid_then_the_rest(service, shipped):
    claim = file(service, shipped, "198.00")
    for amount in ("0", "198.00"):
        with pytest.raises(ClaimRuleBroken, match="Partly paid is more than nothing and less than"):
            claims.settle_claim(actor=service, claim=claim, status=C.PARTLY_PAID, amount_recovered=amount)
    claim = claims.settle_claim(actor=service, claim=claim, status=C.PARTLY_PAID, amount_recovered="120.50")
    assert (claim.status, claim.amount_recovered) == (C.PARTLY_PAID, D("120.50"))
    with pytest.raises(ClaimRuleBroken, match=r"¥100\.00 is less than the ¥120\.50 already recovered"):
        claims.settle_claim(actor=service, claim=claim, status=C.PARTLY_PAID, amount_recovered="100.00")
    claim = claims.settle_claim(actor=service, claim=claim, status=C.PAID)
    assert (claim.status, claim.amount_recovered) == (C.PAID, D("198.00"))


def test_refused_or_withdrawn_says_why_and_recovers_nothing(service, shipped):
    claim = file(service, shipped, "49.90")
    with pytest.raises(ClaimRuleBroken, match="Say why"):
        claims.settle_claim(actor=service, claim=claim, status=C.REFUSED)
    with pytest.raises(ClaimRuleBroken, match="recovers nothing"):
        claims.settle_claim(actor=service, claim=claim, status=C.REFUSED, amount_recovered="1.00", note="保价不足")
    claim = claims.settle_claim(actor=service, claim=claim, status=C.REFUSED, note="未保价")
    assert (claim.status, claim.amount_recovered) == (C.REFUSED, D("0.00"))


def test_the_badge_counts_days(service, shipped):
    claim = file(service, shipped, "10.00")
    now = claim.deadline
    assert claims.time_left(claim, now - timedelta(days=5)).kind == ""
    assert claims.time_left(claim, now - timedelta(days=2)).kind == "amber"
    assert claims.time_left(claim, now - timedelta(hours=20)).text == "20 h left"
    assert claims.time_left(claim, now - timedelta(hours=20)).kind == "red"
    assert claims.time_left(claim, now + timedelta(hours=3)).text == "overdue 3 h"
    claims.settle_claim(actor=service, claim=claim, status=C.WITHDRAWN, note="x")
    claim.refresh_from_db()
    assert claims.time_left(claim, now) is None


# ----- pages ------------------------------------------------------------------------------------------------------


def test_the_case_page_files_a_claim_and_settles_it(client, service, shipped, lost):
    login(client, service)
    page = client.get(f"/aftersales/{lost.pk}/").content.decode()
    assert 'id="claims"' in page and 'id="claim-form"' in page
    data = {"claim-parcel": shipped.pk, "claim-value_claimed": "abc", "claim-evidence": "网点确认丢件"}
    refused = client.post(f"/aftersales/{lost.pk}/claims/", data)
    assert refused.status_code == 422 and not CarrierClaim.objects.exists()
    response = client.post(f"/aftersales/{lost.pk}/claims/", {**data, "claim-value_claimed": "300.00"})
    assert response.status_code == 422
    assert "a carrier pays at most the goods&#x27; value, so at most ¥247.90." in response.content.decode()
    response = client.post(f"/aftersales/{lost.pk}/claims/", {**data, "claim-value_claimed": "198.00"})
    claim = CarrierClaim.objects.get()
    assert response.status_code == 302 and (claim.case, claim.tracking_no, claim.value_claimed) == (
        lost,
        "ZT100",
        D("198.00"),
    )
    page = client.get(f"/aftersales/{lost.pk}/").content.decode()
    assert f'data-claim="{claim}"' in page and f'id="settle-form-{claim.pk}"' in page
    prefix = f"settle-{claim.pk}"
    url = f"/aftersales/claims/{claim.pk}/settle/"
    wrong = client.post(url, {f"{prefix}-status": "paid", f"{prefix}-amount_recovered": "100.00"})
    assert wrong.status_code == 422 and "Paid means all that was claimed" in wrong.content.decode()
    back = f"/aftersales/{lost.pk}/"
    done = client.post(url, {f"{prefix}-status": "partly_paid", f"{prefix}-amount_recovered": "100.00", "next": back})
    assert done.status_code == 302 and done["Location"] == back
    claim.refresh_from_db()
    assert (claim.status, claim.amount_recovered) == (C.PARTLY_PAID, D("100.00"))


def test_a_role_without_the_right_sees_no_form_and_its_posts_are_refused(client, users, service, shipped, lost):
    claim = file(service, shipped, "10.00", case=lost)
    login(client, users["warehouse"])
    page = client.get(f"/aftersales/{lost.pk}/").content.decode()
    assert f'data-claim="{claim}"' in page and 'id="claim-form"' not in page and "settle-form" not in page
    data = {"claim-parcel": shipped.pk, "claim-value_claimed": "1.00", "claim-evidence": "x"}
    assert client.post(f"/aftersales/{lost.pk}/claims/", data).status_code == 403
    assert (
        client.post(f"/aftersales/claims/{claim.pk}/settle/", {f"settle-{claim.pk}-status": "paid"}).status_code == 403
    )
    claim.refresh_from_db()
    assert CarrierClaim.objects.count() == 1 and claim.status == C.FILED


def test_the_claims_list_filters_totals_and_exports(client, service, shipped, jd_order):
    JdOrder = Order.objects.filter(pk=jd_order.pk)
    JdOrder.update(carrier="京东物流", tracking_no="JD1")
    first = file(service, shipped, "198.00")
    file(service, shipped, "49.90")
    other = file(service, JdOrder.get(), "30.00")
    claims.settle_claim(actor=service, claim=first, status=C.PARTLY_PAID, amount_recovered="80.00")
    login(client, service)
    response = client.get("/aftersales/claims/")
    assert response.status_code == 200
    assert [str(c) for c in response.context["page"]] == [str(first), f"CL-{first.pk + 1}", str(other)]
    assert response.context["listing"].totals == {"claimed": D("277.90"), "recovered": D("80.00")}
    html = response.content.decode()
    assert "¥277.90" in html and 'data-left=""' in html and "29 d left" in html
    jd = client.get("/aftersales/claims/?carrier=京东物流")
    assert [str(c) for c in jd.context["page"]] == [str(other)]
    assert jd.context["listing"].totals == {"claimed": D("30.00"), "recovered": D("0.00")}
    partly = client.get("/aftersales/claims/?status=partly_paid")
    assert [str(c) for c in partly.context["page"]] == [str(first)]
    export = client.get("/aftersales/claims/?carrier=中通快递&export=xlsx")
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("Claim", "Order number", "Case") and [r[0] for r in rows[1:]] == [
        str(first),
        f"CL-{first.pk + 1}",
    ]
    assert [D(str(r[7])) for r in rows[1:]] == [D("198.00"), D("49.90")]


# ----- API --------------------------------------------------------------------------------------------------------


def api_for(user) -> Client:
    return Client(headers={"Authorization": f"Bearer {create_api_token(user=user, name='test')[1]}"})


def test_the_api_files_lists_and_settles(users, service, shipped, lost):
    api = api_for(service)
    url = "/api/v1/aftersales/claims"
    response = api.post(url, {"case_id": lost.pk, "value_claimed": "198.00", "evidence": "丢件"}, "application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["order_no"], body["carrier"], body["tracking_no"], body["value_claimed"], body["status"]) == (
        "T2001",
        "中通快递",
        "ZT100",
        "198.00",
        "filed",
    )
    over = api.post(url, {"order_id": shipped.pk, "value_claimed": "50.00", "evidence": "x"}, "application/json")
    assert over.status_code == 409 and over.json()["code"] == "claim_rule_broken"
    assert over.json()["details"] == {"paid": "247.90", "claimed_by_others": "198.00", "asked": "50.00"}
    listing = api.get(url + "?status=filed").json()
    assert (listing["count"], listing["value_claimed"], listing["amount_recovered"]) == (1, "198.00", "0.00")
    settle = api.post(f"{url}/{body['id']}/settle", {"status": "paid"}, "application/json")
    assert settle.status_code == 200 and settle.json()["amount_recovered"] == "198.00"
    again = api.post(f"{url}/{body['id']}/settle", {"status": "paid"}, "application/json")
    assert again.status_code == 409 and again.json()["code"] == "invalid_claim_transition"
    denied = api_for(users["designer"]).post(
        url, {"case_id": lost.pk, "value_claimed": "1.00", "evidence": "x"}, "application/json"
    )
    assert denied.status_code == 403 and CarrierClaim.objects.count() == 1


def test_the_claims_timeline_line_carries_the_status_the_case_has_now_not_a_stale_copys(service, shipped, lost):
    from zhanggui.aftersales import services

    services.agree(actor=service, case=lost)  # `lost` (this copy) still says open
    file(service, shipped, case=lost)
    line = CaseEvent.objects.filter(case=lost).order_by("at", "pk").last()
    assert (line.from_status, line.to_status) == ("agreed", "agreed")
