"""After-sales in the admin: every staff role reads the cases and rules; cases change only through the
services; a deadline rule is changed by the manager through the service (audited, open cases follow)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from zhanggui.aftersales.models import AfterSaleCase, DeadlineRule
from zhanggui.aftersales.tests.factories import CaseFactory, CaseLineFactory
from zhanggui.core.models import AuditEntry
from zhanggui.orders.tests.factories import OrderFactory

pytestmark = pytest.mark.django_db


def admin_client(user) -> Client:
    User.objects.filter(pk=user.pk).update(is_staff=True)
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", ["manager", "service", "warehouse", "designer"])
def test_every_staff_role_reads_cases_and_rules(users, shop, role):
    case = CaseFactory(order=OrderFactory(shop=shop, platform_order_no="A1"), platform_refund_no="R5")
    CaseLineFactory(case=case)
    client = admin_client(users[role])
    assert "R5" in client.get("/admin/aftersales/aftersalecase/").content.decode()
    assert client.get(f"/admin/aftersales/aftersalecase/{case.pk}/change/").status_code == 200
    rules = client.get("/admin/aftersales/deadlinerule/")
    assert rules.status_code == 200 and rules.context["cl"].result_count == 30


def test_nobody_changes_a_case_in_the_admin(users, shop):
    case = CaseFactory(order=OrderFactory(shop=shop))
    client = admin_client(users["manager"])
    response = client.post(f"/admin/aftersales/aftersalecase/{case.pk}/change/", {"status": "refunded"})
    assert response.status_code == 403
    assert AfterSaleCase.objects.get(pk=case.pk).status == "open"
    assert client.get("/admin/aftersales/aftersalecase/add/").status_code == 403


def test_the_manager_changes_a_rule_through_the_service(users):
    rule = DeadlineRule.objects.get(channel="pdd", situation="refund_unshipped")
    url = f"/admin/aftersales/deadlinerule/{rule.pk}/change/"
    data = {"hours": "24", "on_expiry": "auto_refund", "basis": "platform", "source": "拼多多规则"}
    assert admin_client(users["manager"]).post(url, data).status_code == 302
    rule.refresh_from_db()
    assert (rule.hours, rule.basis, rule.updated_by) == (24, "platform", users["manager"])
    assert AuditEntry.objects.get(action="deadline_rule.update").actor == users["manager"]


@pytest.mark.parametrize("role", ["service", "operator"])
def test_other_roles_may_not_change_a_rule(users, role):
    rule = DeadlineRule.objects.get(channel="pdd", situation="refund_unshipped")
    url = f"/admin/aftersales/deadlinerule/{rule.pk}/change/"
    data = {"hours": "1", "on_expiry": "auto_refund", "basis": "platform", "source": ""}
    assert admin_client(users[role]).post(url, data).status_code == 403
    assert DeadlineRule.objects.get(pk=rule.pk).hours == 48
