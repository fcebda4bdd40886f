"""Phone numbers encrypted at rest, shown masked, matched by their keyed hash; merge and unmerge restore the
members exactly; consent per channel follows into the messaging app's opt-outs."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.forms.models import model_to_dict

from zhanggui.members import crypto, selectors, services
from zhanggui.members.errors import MergeRefused
from zhanggui.members.models import Member, MemberIdentity, MemberMerge, PointsMove, TierChange
from zhanggui.members.tests.conftest import at
from zhanggui.messaging.models import BuyerOptOut

pytestmark = pytest.mark.django_db


def test_a_phone_round_trips_is_shown_masked_and_matches_by_its_hash_only(settings):
    cipher = crypto.encrypt_phone("+86 138-1234-5678")
    assert "13812345678" not in cipher and "5678" not in cipher
    assert crypto.decrypt_phone(cipher) == "13812345678"
    assert crypto.masked_phone(cipher) == "138****5678"
    assert (
        crypto.phone_hash("13812345678")
        == crypto.phone_hash("+8613812345678")
        == crypto.phone_hash("0086 138 1234 5678")
    )
    assert crypto.phone_hash("13812345679") != crypto.phone_hash("13812345678")
    assert crypto.phone_hash("138****5678") == ""  # a platform's masked number matches nobody
    settings.ZHANGGUI_MEMBER_KEY = "ZmFrZS1rZXktZm9yLXRlc3RzLW9ubHktMzItYnl0ZXM="  # another key
    assert crypto.decrypt_phone(cipher) == ""  # unreadable, not an error
    assert crypto.phone_hash("13812345678") != ""


def test_members_are_found_by_a_whole_phone_number(shop, paid):
    paid("tb_lily", "2026-11-01", "10.00", receiver_phone="13812345678")
    paid("tb_wang", "2026-11-02", "10.00", receiver_phone="13900001111")
    services.sync_members(shop=shop, now=at("2026-11-03"))
    lily = MemberIdentity.objects.get(buyer_nick="tb_lily").member
    assert lily.phone_cipher and "13812345678" not in lily.phone_cipher
    assert list(selectors.members(q="+86 13812345678")) == [lily]
    assert list(selectors.members(q="1381234")) == []  # part of a number finds nobody: only whole numbers match


def snapshot():
    return (
        sorted(tuple(sorted(model_to_dict(m).items())) for m in Member.objects.all()),
        sorted(PointsMove.objects.values_list("member_id", "points", "reason", "key")),
        sorted(MemberIdentity.objects.values_list("member_id", "platform", "buyer_nick")),
        TierChange.objects.count(),
    )


def test_merge_joins_the_figures_and_unmerge_restores_both_members_exactly(shop, paid, users):
    paid("tb_lily", "2026-10-01", "100.00", receiver_phone="13812345678")
    paid("tb_lily", "2026-11-01", "50.00")
    paid("lily_jd", "2026-11-15", "30.00", receiver_phone="13812345678", platform="jd")
    services.sync_members(shop=shop, now=at("2026-11-20"))
    taobao = MemberIdentity.objects.get(buyer_nick="tb_lily").member
    jd = MemberIdentity.objects.get(buyer_nick="lily_jd").member
    assert selectors.duplicates_of(taobao) == [jd]  # the same phone: suggested, not merged by itself
    before = snapshot()

    with pytest.raises(Exception) as denied:
        services.merge(actor=users["operator"], survivor=taobao, absorbed=jd)
    assert denied.value.code == "permission_denied" and snapshot() == before

    services.merge(actor=users["service"], survivor=taobao, absorbed=jd, reason="同一手机号")
    taobao.refresh_from_db()
    assert (taobao.orders_count, str(taobao.spend), services.person_points(taobao)) == (3, "180.00", 180)
    # The many-at-once read a campaign uses gives each merged member the person's balance too.
    assert services.people_points([taobao.pk, jd.pk]) == {taobao.pk: 180, jd.pk: 180}
    assert list(selectors.members()) == [taobao]
    with pytest.raises(MergeRefused):
        services.merge(actor=users["service"], survivor=jd, absorbed=taobao)

    services.unmerge(actor=users["service"], member=jd)
    assert snapshot() == before
    assert MemberMerge.objects.get().undone_at is not None


def test_an_opt_out_of_platform_messages_is_kept_in_the_messaging_opt_outs(shop, paid, users):
    paid("tb_lily", "2026-11-01", "10.00")
    services.sync_members(shop=shop, now=at("2026-11-03"))
    lily = Member.objects.get()
    services.record_consent(actor=users["service"], member=lily, channel="platform", granted=False, note="勿扰")
    services.record_consent(actor=users["service"], member=lily, channel="sms", granted=True)
    assert list(BuyerOptOut.objects.values_list("shop__code", "buyer_nick")) == [("tb01", "tb_lily")]
    state = selectors.consent_state(lily)
    assert (state["platform"].granted, state["sms"].granted) == (False, True)
    services.record_consent(actor=users["service"], member=lily, channel="platform", granted=True)
    assert not BuyerOptOut.objects.exists()
    with pytest.raises(Exception) as denied:
        services.record_consent(actor=users["operator"], member=lily, channel="sms", granted=False)
    assert denied.value.code == "permission_denied"


def test_many_imports_in_one_transaction_sync_each_shop_once_and_a_rolled_back_one_none(monkeypatch):
    from django.db import transaction

    from zhanggui.catalog.tests.factories import ShopFactory
    from zhanggui.members import hooks, tasks

    synced: list[int] = []
    monkeypatch.setattr(tasks, "sync_shop_members", SimpleNamespace(enqueue=synced.append))
    tmall, jd = ShopFactory(), ShopFactory()
    with transaction.atomic():  # the test's own transaction holds the callbacks: this block is a savepoint
        try:
            with transaction.atomic():
                hooks.orders_imported(jd)
                raise RuntimeError("the import failed")
        except RuntimeError:
            pass
        for shop in (tmall, tmall, jd, tmall):
            hooks.orders_imported(shop)
    assert synced == []  # nothing before the commit
    connection = transaction.get_connection()
    for _sids, func, *_rest in list(connection.run_on_commit):
        func()
    assert synced == [tmall.pk, jd.pk]


def test_an_import_outside_a_transaction_syncs_at_once(monkeypatch, transactional_db):
    from zhanggui.catalog.tests.factories import ShopFactory
    from zhanggui.members import hooks, tasks

    synced: list[int] = []
    monkeypatch.setattr(tasks, "sync_shop_members", SimpleNamespace(enqueue=synced.append))
    shop = ShopFactory()
    hooks.orders_imported(shop)
    hooks.orders_imported(shop)
    assert synced == [shop.pk, shop.pk]  # each import committed on its own: each one syncs
