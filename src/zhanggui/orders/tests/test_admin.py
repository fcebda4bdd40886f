"""The orders in the admin: readable by every staff role, changed by nobody, phones shown by role."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from zhanggui.orders.models import Order, OrderSettings
from zhanggui.orders.tests.factories import OrderFactory, OrderLineFactory

pytestmark = pytest.mark.django_db


def admin_client(user) -> Client:
    User.objects.filter(pk=user.pk).update(is_staff=True)
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("role", "whole"),
    [("manager", True), ("service", True), ("warehouse", False), ("operator", True), ("designer", False)],
)
def test_every_staff_role_reads_orders_with_the_phone_as_their_role_allows(users, shop, role, whole):
    order = OrderFactory(shop=shop, receiver_phone="13812345678")
    OrderLineFactory(order=order, sku_code="TEE-M")
    client = admin_client(users[role])
    listing = client.get("/admin/orders/order/").content.decode()
    assert order.platform_order_no in listing and "138****5678" in listing and "13812345678" not in listing
    detail = client.get(f"/admin/orders/order/{order.pk}/change/")
    assert detail.status_code == 200
    assert ("13812345678" in detail.content.decode()) is whole
    assert ("138****5678" in detail.content.decode()) is not whole


def test_nobody_changes_an_order_in_the_admin(users, shop):
    order = OrderFactory(shop=shop)
    client = admin_client(users["manager"])
    response = client.post(f"/admin/orders/order/{order.pk}/change/", {"status": "cancelled"})
    assert response.status_code == 403
    assert Order.objects.get(pk=order.pk).status == "paid"
    assert client.get("/admin/orders/order/add/").status_code == 403


def test_order_settings_are_kept_by_who_manages_shops(users, shop):
    data = {"shop": shop.pk, "promise_hours": 36, "review_wait_minutes": 30, "amount_limit": "2000.00"}
    assert admin_client(users["operator"]).post("/admin/orders/ordersettings/add/", data).status_code == 403
    response = admin_client(users["manager"]).post("/admin/orders/ordersettings/add/", data)
    assert response.status_code == 302
    assert OrderSettings.objects.get(shop=shop).promise_hours == 36
    over = {**data, "promise_hours": 72}
    page = admin_client(users["manager"]).post(f"/admin/orders/ordersettings/{shop.order_settings.pk}/change/", over)
    assert page.status_code == 200  # the form shows the error: never beyond 48 hours
    assert OrderSettings.objects.get(shop=shop).promise_hours == 36
