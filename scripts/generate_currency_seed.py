"""Write seeds/currencies.csv from ISO 4217 (pycountry): every currency's code and English name.

    .venv/bin/python scripts/generate_currency_seed.py            # rewrite the seed
    .venv/bin/python scripts/generate_currency_seed.py --check    # exit 1 when the committed seed is out of date

The ERP's `currency` table holds only ISO codes; the star's dim_currency takes each code's name from this seed
(ISO's own names: 'Pound Sterling', 'US Dollar', 'Euro'). pycountry is a dev dependency: the warehouse reads only
the committed CSV. Sorted rows and `\\n` line ends: re-running with the same pycountry version changes nothing.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

import pycountry

SEED = Path(__file__).resolve().parent.parent / "seeds" / "currencies.csv"


def currencies_csv() -> str:
    """The seed's text: header `currency_code,currency_name`, one row per ISO 4217 currency, sorted by code."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["currency_code", "currency_name"])
    for currency in sorted(pycountry.currencies, key=lambda currency: currency.alpha_3):
        writer.writerow([currency.alpha_3, currency.name])
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the committed seed is out of date")
    args = parser.parse_args()
    text = currencies_csv()
    if args.check:
        if SEED.read_text(encoding="utf-8") != text:
            print(f"{SEED} is out of date: run scripts/generate_currency_seed.py", file=sys.stderr)
            return 1
        return 0
    SEED.write_text(text, encoding="utf-8")
    print(f"wrote {SEED} ({text.count(chr(10)) - 1} currencies)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
