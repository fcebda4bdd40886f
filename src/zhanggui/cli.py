"""The `zhanggui` console command: a thin wrapper over Django's management commands.

`zhanggui import-catalog --shop TM01 file.xlsx` runs the management command `import_catalog`; any Django
command works too (`zhanggui migrate`, `zhanggui createsuperuser`).
"""

from __future__ import annotations

import os
import sys

OUR_COMMANDS = {
    "demo": "Create the database, roles and the generated demo shop (idempotent).",
    "serve": "Serve the desk over HTTP (default 127.0.0.1:8000).",
    "worker": "Run the background work: the periodic schedule and the task queue (--once: run once, exit).",
    "import-catalog": "Import products and SKUs from XLSX/CSV into a shop.",
    "export-catalog": "Export products and SKUs to XLSX/CSV.",
    "check-ledger": "Verify on-hand = sum of the stock ledger; exit 1 on any drift.",
    "import-locations": "Set SKUs' bin locations (库位) from XLSX/CSV, all or nothing.",
    "create-token": "Create an API token for a user (printed once).",
    "quote": "Price a cart against promotions (JSON files, or the running ones).",
    "whatif": "Replay a draft promotion over a list of carts.",
    "import-promotions": "Import promotions (the JSON spec format) into a shop, all or nothing.",
    "export-promotions": "Export promotions in the JSON spec format.",
    "import-orders": "Import a platform's order export into a shop, all or nothing.",
    "export-orders": "Export a shop's orders in our own order format (XLSX/CSV).",
    "import-refunds": "Import a refund export (Taobao, JD, Pinduoduo) into a shop's after-sales cases, all or nothing.",
    "import-events": "Import behaviour events (Taobao user-behaviour schema, CSV/Parquet) into a shop's days.",
    "import-traffic": "Import 生意参谋/京东商智 traffic reports into a shop's days, all or nothing.",
    "import-ads": "Import ad reports (直通车, 京东快车, 引力魔方/钻展, 淘宝客) into a shop's days, all or nothing.",
    "import-keywords": "Import 生意参谋/京东商智 search-term exports into a shop's keyword library, all or nothing.",
    "import-ranks": "Import a rank-tracking plug-in's export (排名监控) into a shop, all or nothing.",
    "import-snapshots": "Import competitor snapshots (竞品监控 plug-in CSV), all or nothing.",
    "import-board": "Import 生意参谋 市场排行 exports into a shop's category board, all or nothing.",
    "import-reviews": "Import review exports (删评 flagged, bad reviews to 客服 tasks) or 问大家, all or nothing.",
    "setup-roles": "Create the role groups and their permissions.",
    "compile-translations": "Compile the .po files to .mo (no GNU gettext needed).",
}


def _usage() -> str:
    lines = ["usage: zhanggui COMMAND [options]", "", "commands:"]
    lines += [f"  {name:<22}{text}" for name, text in OUR_COMMANDS.items()]
    lines += [
        "",
        "Any Django management command works too (zhanggui migrate, zhanggui shell, ...).",
        "zhanggui COMMAND --help shows the options of one command.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(_usage())
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhanggui.settings")
    from django.core.management import execute_from_command_line

    command = argv[0].replace("-", "_")
    execute_from_command_line(["zhanggui", command, *argv[1:]])


if __name__ == "__main__":
    main()
