"""Write seeds/tills_price_list.csv and seeds/tills_branch_aliases.csv from the café chain's menu and branches.

    .venv/bin/python scripts/generate_tills_seeds.py            # rewrite the two seeds
    .venv/bin/python scripts/generate_tills_seeds.py --check    # exit 1 when the committed seeds are out of date

The menu, its prices and the branch names are reference data of the café chain (warehouse/sample/menu.py, from the
seed-systems notes, part B); the dbt models read only the committed CSV files.

- `tills_price_list`: one row per price list (`current`, and `pilot` for the Feb 2021 layout) and item as a till
  writes it (`Large Flavoured latte - Vanilla`, `Babyccino`), with its size (empty for one-size), product, flavour
  and price in pounds.
- `tills_branch_aliases`: every spelling of a branch a till writes (the canonical name and its known variants),
  lower-cased, with the canonical name.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

from warehouse.sample import menu

SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"


def item_name(size: str, product: str, flavour: str) -> str:
    """The item as a till writes it, without its price: `Large Flavoured latte - Vanilla`, `Babyccino`."""
    name = f"{product} - {flavour}" if flavour else product
    return f"{size} {name}" if size else name


def pounds(pence: int) -> str:
    return f"{pence // 100}.{pence % 100:02d}"


def price_list_rows() -> list[tuple[str, ...]]:
    current = [("current", size, product, flavour, price) for (size, product, flavour), price in menu.MENU.items()]
    pilot = [("pilot", size, product, flavour, price) for size, product, flavour, price in menu.PILOT_MENU]
    rows = [
        (price_list, item_name(size, product, flavour), size, product, flavour, pounds(price))
        for price_list, size, product, flavour, price in current + pilot
    ]
    return sorted(rows)


def branch_alias_rows() -> list[tuple[str, ...]]:
    spellings = {branch.name.lower(): branch.name for branch in menu.BRANCHES}
    spellings.update({variant.lower(): name for name, variant in menu.BRANCH_VARIANTS.items()})
    return sorted(spellings.items())


SEEDS = {
    "tills_price_list.csv": (("price_list", "item_name", "size", "product_name", "flavour", "price"), price_list_rows),
    "tills_branch_aliases.csv": (("alias", "branch_name"), branch_alias_rows),
}


def render(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return text.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when a committed seed differs")
    args = parser.parse_args()
    stale = []
    for name, (header, rows) in SEEDS.items():
        path = SEEDS_DIR / name
        wanted = render(header, rows())
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != wanted:
                stale.append(name)
        else:
            path.write_text(wanted, encoding="utf-8")
    if stale:
        print(f"out of date: {', '.join(stale)}; run scripts/generate_tills_seeds.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
