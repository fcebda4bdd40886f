"""Import products and SKUs from an XLSX or CSV sheet into one shop.

All or nothing: every row is checked before anything is written; if one row is rejected nothing is written and
the report lists each rejected row (line, column, reason). Writes go through catalog.services, so the
permission checks and the audit trail apply exactly as in the desk. Idempotent: a value equal to the stored
one is not written, so importing the same file again changes nothing and writes no audit entries.
The file format is described in docs/catalog-import.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from zhanggui.catalog import services
from zhanggui.catalog.models import Product, ProductRole, Shop, Sku
from zhanggui.catalog.titles import check_title, normalize_title
from zhanggui.core import roles
from zhanggui.core.errors import DomainError, PermissionDeniedError
from zhanggui.core.money import MoneyError, parse_money
from zhanggui.core.tabular import (
    CellError,
    Column,
    FileSource,
    RowError,
    Table,
    clean_cell,
    read_table,
    whole_number,
)
from zhanggui.core.text import bad_code_character, clean_line, clean_text, describe

CATALOG_COLUMNS: tuple[Column, ...] = (
    Column("shop", ("店铺", "店铺编码", "shop")),
    Column("product_code", ("货号", "商品编码", "商家编码-商品维度", "product_code"), required=True),
    Column("title", ("商品标题", "标题", "商品名称", "title")),
    Column("category", ("类目", "商品类目", "category")),
    Column("role", ("商品角色", "角色", "role")),
    Column("sku_code", ("商家编码", "SKU编码", "商家编码-规格维度", "sku_code"), required=True),
    Column("barcode", ("条码", "条形码", "barcode")),
    Column("spec", ("规格", "销售属性", "spec")),
    Column("price", ("价格", "售价", "price")),
    Column("cost", ("成本", "成本价", "cost")),
    Column("weight_g", ("重量(g)", "重量", "weight_g")),
    Column("safety_stock", ("警戒库存", "安全库存", "safety_stock")),
    Column("description", ("描述", "商品描述", "description")),
    Column("main_image_url", ("主图", "主图链接", "main_image_url")),
)

#: The word written for each role in exports; imports also accept the English value.
ROLE_WORDS: dict[str, str] = {
    ProductRole.TRAFFIC: "引流款",
    ProductRole.PROFIT: "利润款",
    ProductRole.CAMPAIGN: "活动款",
    ProductRole.IMAGE: "形象款",
}
_ROLE_LOOKUP: dict[str, str] = {
    **{word: role for role, word in ROLE_WORDS.items()},
    **{word.removesuffix("款"): role for role, word in ROLE_WORDS.items()},
    **{str(role): role for role in ProductRole.values},
}

PRODUCT_KEYS = ("title", "category", "role", "description", "main_image_url")
CLEARABLE_PRODUCT_KEYS = ("category", "description", "main_image_url")  # empty on every row: clear it
SKU_TEXT_KEYS = ("barcode", "spec")
SKU_NUMBER_KEYS = ("weight_g", "safety_stock")
PRICE_KEYS = ("price", "cost")
SKU_KEYS = (*SKU_TEXT_KEYS, *PRICE_KEYS, *SKU_NUMBER_KEYS)
MAX_LENGTHS = {
    "product_code": 64,
    "sku_code": 64,
    "barcode": 64,
    "spec": 200,
    "category": 100,
    "title": 200,
    "main_image_url": 500,
}
MAX_MONEY = Decimal("1000000000000")  # DecimalField(max_digits=14, decimal_places=2)


@dataclass
class ImportReport:
    filename: str
    shop_code: str
    dry_run: bool = False
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    products_created: int = 0
    products_updated: int = 0
    products_unchanged: int = 0
    skus_created: int = 0
    skus_updated: int = 0
    skus_unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def rejected_rows(self) -> int:
        return len({error.line for error in self.errors})

    def summary(self) -> list[str]:
        """The report as plain lines, for the CLI and the desk."""
        if not self.ok:
            return [
                _("%(file)s: %(rejected)s of %(rows)s rows rejected; nothing was written.")
                % {"file": self.filename, "rejected": self.rejected_rows, "rows": self.rows},
                *(str(error) for error in self.errors),
            ]
        head = (
            _("%(file)s: %(rows)s rows checked for shop %(shop)s (dry run: nothing was written).")
            if self.dry_run
            else _("%(file)s: %(rows)s rows imported into shop %(shop)s.")
        )
        return [
            head % {"file": self.filename, "rows": self.rows, "shop": self.shop_code},
            _("Products: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.")
            % {
                "created": self.products_created,
                "updated": self.products_updated,
                "unchanged": self.products_unchanged,
            },
            _("SKUs: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.")
            % {"created": self.skus_created, "updated": self.skus_updated, "unchanged": self.skus_unchanged},
        ]


# --------------------------------------------------------------------------------------------------------
# Reading cells
# --------------------------------------------------------------------------------------------------------


def _money(text: str) -> Decimal:
    try:
        amount = parse_money(text)
    except MoneyError:
        raise CellError(
            "bad_money", _("%(value)s is not an amount in yuan with at most two decimals.") % {"value": text}
        ) from None
    if amount < 0:
        raise CellError("negative", _("%(value)s: must not be negative.") % {"value": text})
    if amount >= MAX_MONEY:
        raise CellError("too_large", _("%(value)s is too large.") % {"value": text})
    return amount


def _role(text: str) -> str:
    role = _ROLE_LOOKUP.get(text.strip().casefold())
    if role is None:
        raise CellError(
            "bad_role",
            _("Unknown product role %(value)s; use one of %(roles)s.")
            % {
                "value": text,
                "roles": ", ".join(f"{word}/{role}" for role, word in ROLE_WORDS.items()),
            },
        )
    return role


def _url(text: str) -> str:
    try:
        URLValidator()(text)
    except ValidationError:
        raise CellError(
            "bad_url", _("%(value)s is not a web address (http:// or https://).") % {"value": text}
        ) from None
    return text


def _bad_code(text: str) -> CellError | None:
    """A code cell holding an invisible or control character (core.text): refused, never cleaned."""
    found = bad_code_character(text)
    if found is None:
        return None
    position, char = found
    return CellError(
        "bad_characters",
        _("Invisible or control character %(char)s at position %(position)s; type the code again without it.")
        % {"char": describe(char), "position": position + 1},
    )


def _code(text: str) -> str:
    error = _bad_code(text)
    if error is not None:
        raise error
    return text


PARSERS: dict[str, Callable[[str], Any]] = {
    "title": normalize_title,
    "category": _code,
    "role": _role,
    "description": clean_text,
    "main_image_url": _url,
    "barcode": _code,
    "spec": clean_line,
    "price": _money,
    "cost": _money,
    "weight_g": whole_number,
    "safety_stock": whole_number,
}


# --------------------------------------------------------------------------------------------------------
# Checking the rows
# --------------------------------------------------------------------------------------------------------


@dataclass
class _ProductPlan:
    code: str
    first_line: int
    given: dict[str, tuple[int, Any]] = field(default_factory=dict)  # key → (line that gave it, value)
    existing: Product | None = None
    values: dict[str, Any] = field(default_factory=dict)  # what the product should have after the import
    changes: dict[str, Any] = field(default_factory=dict)


@dataclass
class _SkuPlan:
    line: int
    code: str
    product_code: str
    values: dict[str, Any]
    existing: Sku | None = None
    changes: dict[str, Any] = field(default_factory=dict)
    price_changes: dict[str, Decimal] = field(default_factory=dict)


class _Checker:
    """Turns rows into a plan of service calls, collecting every problem instead of stopping at the first."""

    def __init__(self, *, actor: Any, shop: Shop, table: Table) -> None:
        self.actor, self.shop, self.table = actor, shop, table
        self.errors: list[RowError] = []
        self.products: dict[str, _ProductPlan] = {}
        self.skus: list[_SkuPlan] = []
        self.rows = 0

    def reject(self, line: int, key: str, code: str, message: str) -> None:
        column = self.table.header(key) if key else ""
        self.errors.append(RowError(line=line, column=column, message=message, code=code))

    def stored_text(self, value: Any) -> str:
        # Compare what the file can say: a stored value reads back through the same cleaning as a cell.
        return clean_cell(value or "")

    # -- pass 1: each row on its own -------------------------------------------------------------------

    def read_rows(self) -> None:
        sku_lines: dict[str, int] = {}
        for row in self.table:
            self.rows += 1
            line = row.line
            product_code, sku_code, shop_code = row.get("product_code"), row.get("sku_code"), row.get("shop")
            ok = self.check_code(line, "product_code", product_code)
            ok = self.check_code(line, "sku_code", sku_code, required=False) and ok
            if shop_code and shop_code != self.shop.code:
                ok = False
                self.reject(
                    line,
                    "shop",
                    "other_shop",
                    _("This row is for shop %(row_shop)s, but the import is into shop %(shop)s.")
                    % {"row_shop": shop_code, "shop": self.shop.code},
                )
            if sku_code and sku_code in sku_lines:
                ok = False
                self.reject(
                    line,
                    "sku_code",
                    "duplicate_in_file",
                    _("SKU code %(code)s is also on line %(line)s; give each SKU one row.")
                    % {"code": sku_code, "line": sku_lines[sku_code]},
                )
            elif sku_code:
                sku_lines[sku_code] = line

            parsed: dict[str, Any] = {}
            for key in (*PRODUCT_KEYS, *SKU_KEYS):
                text = row.values.get(key)
                if text is None or (text == "" and key not in SKU_TEXT_KEYS):
                    continue  # column absent, or an empty cell that means "not given"
                if key in MAX_LENGTHS and len(text) > MAX_LENGTHS[key]:
                    ok = False
                    self.reject(
                        line,
                        key,
                        "too_long",
                        _("%(length)s characters; at most %(max)s.") % {"length": len(text), "max": MAX_LENGTHS[key]},
                    )
                    continue
                try:
                    parsed[key] = PARSERS[key](text)
                except CellError as exc:
                    ok = False
                    self.reject(line, key, exc.code, exc.message)

            if not sku_code and any(row.get(key) for key in SKU_KEYS):
                ok = False
                self.reject(
                    line,
                    "sku_code",
                    "sku_code_missing",
                    _("The SKU code is empty but the row has SKU values (price, spec, ...)."),
                )
            if not ok or not product_code:
                continue
            self.add_product_values(line, product_code, parsed)
            if sku_code:
                sku_values = {key: parsed[key] for key in SKU_KEYS if key in parsed}
                self.skus.append(_SkuPlan(line, sku_code, product_code, sku_values))

    def check_code(self, line: int, key: str, code: str, *, required: bool = True) -> bool:
        if not code:
            if required:
                self.reject(line, key, "required", _("Required; fill it on every row (no merged cells)."))
            return not required
        if len(code) > MAX_LENGTHS[key]:
            self.reject(
                line,
                key,
                "too_long",
                _("%(length)s characters; at most %(max)s.") % {"length": len(code), "max": MAX_LENGTHS[key]},
            )
            return False
        error = _bad_code(code)
        if error is not None:
            self.reject(line, key, error.code, error.message)
            return False
        return True

    def add_product_values(self, line: int, code: str, parsed: dict[str, Any]) -> None:
        """Product fields repeat on each SKU row; rows may leave them empty (merged cells) but not disagree."""
        plan = self.products.setdefault(code, _ProductPlan(code=code, first_line=line))
        for key in PRODUCT_KEYS:
            if key not in parsed:
                continue
            if key not in plan.given:
                plan.given[key] = (line, parsed[key])
            elif plan.given[key][1] != parsed[key]:
                self.reject(
                    line,
                    key,
                    "product_conflict",
                    _("Product %(code)s has a different value on line %(line)s: %(value)s")
                    % {"code": code, "line": plan.given[key][0], "value": plan.given[key][1]},
                )

    # -- pass 2: against the database ------------------------------------------------------------------

    def plan_products(self) -> None:
        existing = {
            p.code: p
            for p in Product.objects.filter(shop=self.shop, code__in=list(self.products)).select_related("category")
        }
        banned = services.banned_words_for(self.shop.channel)
        for code, plan in self.products.items():
            plan.existing = existing.get(code)
            values = {key: value for key, (_line, value) in plan.given.items()}
            for key in CLEARABLE_PRODUCT_KEYS:
                if key not in values and self.table.has(key):
                    values[key] = ""
            if plan.existing is None:
                values.setdefault("role", ProductRole.PROFIT)
                if "title" not in values:
                    self.reject(plan.first_line, "title", "required", _("A new product needs a title."))
                    continue
            else:
                stored = {
                    "title": normalize_title(plan.existing.title),
                    "category": plan.existing.category.name if plan.existing.category else "",
                    "role": plan.existing.role,
                    "description": self.stored_text(plan.existing.description),
                    "main_image_url": self.stored_text(plan.existing.main_image_url),
                }
                plan.changes = {key: value for key, value in values.items() if stored[key] != value}
            plan.values = values
            if plan.existing is None or "title" in plan.changes:
                # Only a title we write is checked: a stored title is not rejected for a word banned later.
                line = plan.given["title"][0]
                for problem in check_title(values["title"], self.shop.channel, banned):
                    self.reject(line, "title", problem.code, problem.message)

    def plan_skus(self) -> None:
        existing = {
            s.code: s
            for s in Sku.objects.filter(shop=self.shop, code__in=[p.code for p in self.skus]).select_related("product")
        }
        can_price = _has_perm(self.actor, roles.CHANGE_PRICE)
        for plan in self.skus:
            plan.existing = existing.get(plan.code)
            if plan.existing is None:
                if "price" not in plan.values:
                    self.reject(plan.line, "price", "required", _("A new SKU needs a price."))
                if not can_price:
                    self.reject(
                        plan.line,
                        "price",
                        "permission_denied",
                        _("Creating a SKU sets its price, which you are not allowed to do (needs %(perm)s).")
                        % {"perm": roles.CHANGE_PRICE},
                    )
                continue
            if plan.existing.product.code != plan.product_code:
                self.reject(
                    plan.line,
                    "product_code",
                    "sku_other_product",
                    _("SKU %(sku)s belongs to product %(product)s; an import does not move SKUs.")
                    % {"sku": plan.code, "product": plan.existing.product.code},
                )
                continue
            sku = plan.existing
            for key, value in plan.values.items():
                stored = self.stored_text(getattr(sku, key)) if key in SKU_TEXT_KEYS else getattr(sku, key)
                if stored == value:
                    continue
                if key in PRICE_KEYS:
                    plan.price_changes[key] = value
                else:
                    plan.changes[key] = value
            if plan.price_changes and not can_price:
                for key in plan.price_changes:
                    self.reject(
                        plan.line,
                        key,
                        "permission_denied",
                        _("Changing prices or costs needs %(perm)s; leave this cell as it is or empty.")
                        % {"perm": roles.CHANGE_PRICE},
                    )


def _has_perm(actor: Any, permission: str) -> bool:
    try:
        roles.require(actor, permission)
    except PermissionDeniedError:
        return False
    return True


# --------------------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------------------


class _ApplyFailed(Exception):
    def __init__(self, error: RowError) -> None:
        super().__init__(error.message)
        self.error = error


def _call(checker: _Checker, line: int, key: str, func: Callable[..., Any], **kwargs: Any) -> Any:
    """Call a service; a refusal becomes the row's error and rolls the whole import back."""
    try:
        return func(**kwargs)
    except (DomainError, ValidationError) as exc:
        message = exc.message if isinstance(exc, DomainError) else "; ".join(exc.messages)
        code = exc.code if isinstance(exc, DomainError) else "invalid"
        raise _ApplyFailed(
            RowError(line=line, column=checker.table.header(key), message=str(message), code=str(code))
        ) from exc


def _apply(checker: _Checker, report: ImportReport, *, actor: Any, note: str) -> None:
    products: dict[str, Product] = {}
    for code, plan in checker.products.items():
        values = dict(plan.values if plan.existing is None else plan.changes)
        if "category" in values:
            values["category"] = services.get_or_create_category(values["category"])
        if plan.existing is None:
            products[code] = _call(
                checker,
                plan.first_line,
                "product_code",
                services.create_product,
                actor=actor,
                shop=checker.shop,
                code=code,
                **values,
            )
            report.products_created += 1
        else:
            products[code] = plan.existing
            if values:
                _call(
                    checker,
                    plan.first_line,
                    "product_code",
                    services.update_product,
                    actor=actor,
                    product=plan.existing,
                    **values,
                )
                report.products_updated += 1
            else:
                report.products_unchanged += 1

    for sku_plan in checker.skus:
        if sku_plan.existing is None:
            _call(
                checker,
                sku_plan.line,
                "sku_code",
                services.create_sku,
                actor=actor,
                product=products[sku_plan.product_code],
                code=sku_plan.code,
                **sku_plan.values,
            )
            report.skus_created += 1
            continue
        if sku_plan.changes:
            _call(
                checker,
                sku_plan.line,
                "sku_code",
                services.update_sku,
                actor=actor,
                sku=sku_plan.existing,
                **sku_plan.changes,
            )
        if sku_plan.price_changes:
            _call(
                checker,
                sku_plan.line,
                "price",
                services.set_price,
                actor=actor,
                sku=sku_plan.existing,
                note=note,
                **sku_plan.price_changes,
            )
        if sku_plan.changes or sku_plan.price_changes:
            report.skus_updated += 1
        else:
            report.skus_unchanged += 1


def _count_plan(checker: _Checker, report: ImportReport) -> None:
    for plan in checker.products.values():
        if plan.existing is None:
            report.products_created += 1
        elif plan.changes:
            report.products_updated += 1
        else:
            report.products_unchanged += 1
    for sku_plan in checker.skus:
        if sku_plan.existing is None:
            report.skus_created += 1
        elif sku_plan.changes or sku_plan.price_changes:
            report.skus_updated += 1
        else:
            report.skus_unchanged += 1


def import_catalog(
    *, actor: Any, shop: Shop, file: FileSource, filename: str = "", dry_run: bool = False
) -> ImportReport:
    """Create or update the shop's products and SKUs from a sheet, all or nothing (see the module doc).

    Raises TableError subclasses when the file itself cannot be read (missing columns, not a table) and
    PermissionDeniedError when the actor may not edit the catalog at all; row problems go into the report.
    """
    roles.require(actor, roles.EDIT_CATALOG)
    table = read_table(file=file, filename=filename, columns=CATALOG_COLUMNS)
    report = ImportReport(filename=table.filename, shop_code=shop.code, dry_run=dry_run)
    checker = _Checker(actor=actor, shop=shop, table=table)
    checker.read_rows()
    report.rows = checker.rows
    try:
        with transaction.atomic():
            checker.plan_products()
            checker.plan_skus()
            if checker.errors:
                report.errors = sorted(checker.errors, key=lambda e: e.line)
                return report
            if dry_run:
                _count_plan(checker, report)
                return report
            _apply(checker, report, actor=actor, note=_("import %(file)s") % {"file": table.filename})
    except _ApplyFailed as exc:
        report.errors = [exc.error]
        for name in ("products", "skus"):
            for outcome in ("created", "updated", "unchanged"):
                setattr(report, f"{name}_{outcome}", 0)
    return report
