"""Write seeds/countries.csv and seeds/country_aliases.csv from ISO 3166-1 (pycountry) plus a short hand list.

    .venv/bin/python scripts/generate_country_seeds.py            # rewrite the two seeds
    .venv/bin/python scripts/generate_country_seeds.py --check    # exit 1 when the committed seeds are out of date

pycountry is a dev dependency: the warehouse reads only the committed CSV files. The output is deterministic
(sorted rows, `\\n` line ends), so re-running with the same pycountry version changes nothing.

- `countries`: every ISO 3166-1 country (alpha-2 code, a readable English name: `NAMES` where set, else
  pycountry's `common_name`, else its `name`), plus 'ZZ' / 'Unknown' for what no list knows.
- `country_aliases`: for every country its alpha-2 and alpha-3 codes, `name`, `common_name`, `official_name` and
  readable name, plus `EXTRA_ALIASES` (English and local spellings no ISO list has); each lower-cased, and each
  also without accents ('côte d'ivoire' -> 'cote d'ivoire'), with 'st.'/'st' for a leading 'saint' and '&' for
  'and' ('st. kitts & nevis'). Every alias stands for exactly one country: the script stops when two countries
  claim one spelling.

Codes that are also English words ('in', 'it', 'no', 'is', 'be', 'and', 'can'...) are kept: the CRM column holds
countries, so 'IT' is Italy. One code is left out, `SKIPPED_ALIASES`: 'na' (Namibia) is far more often "not
available" than Namibia in an export, so it stays unknown; 'namibia' and 'nam' resolve.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import unicodedata
from pathlib import Path

import pycountry

SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"
UNKNOWN_COUNTRY = ("ZZ", "Unknown")

# Readable English names where pycountry's name is an inverted or bracketed form without a common_name
# ('Congo, The Democratic Republic of the'), or where the usual English name is shorter ('Russian Federation').
NAMES: dict[str, str] = {
    "CD": "DR Congo",
    "FK": "Falkland Islands",
    "FM": "Micronesia",
    "MF": "Saint Martin",
    "PS": "Palestine",
    "RU": "Russia",
    "SX": "Sint Maarten",
    "VA": "Vatican City",
    "VG": "British Virgin Islands",
    "VI": "US Virgin Islands",
}

# Spellings seen in CRM exports that ISO 3166-1 does not list (lower case; accent-free forms are added).
EXTRA_ALIASES: dict[str, tuple[str, ...]] = {
    "AE": ("uae", "u.a.e.", "emirates"),
    "BA": ("bosnia",),
    "BN": ("brunei",),
    "BS": ("the bahamas",),
    "CD": ("drc", "dr congo", "democratic republic of the congo", "congo-kinshasa"),
    "CG": ("republic of the congo", "congo-brazzaville"),
    "CI": ("ivory coast",),
    "CV": ("cape verde",),
    "CZ": ("czech republic",),
    "DE": ("deutschland",),
    "ES": ("españa",),
    "GB": ("uk", "u.k.", "britain", "great britain", "england", "scotland", "wales", "northern ireland"),
    "GM": ("the gambia",),
    "IE": ("republic of ireland", "éire"),
    "IT": ("italia",),
    "KP": ("dprk",),
    "KR": ("korea",),
    "MK": ("macedonia",),
    "MM": ("burma",),
    "MO": ("macau",),
    "NL": ("holland", "the netherlands"),
    "PH": ("the philippines",),
    "SZ": ("swaziland",),
    "TL": ("east timor",),
    "TR": ("turkey", "türkiye"),
    "US": ("u.s.", "u.s.a.", "united states of america", "america"),
    "VA": ("vatican", "holy see"),
}

# Spellings deliberately left out although an ISO list has them, with the reason.
SKIPPED_ALIASES: dict[str, str] = {
    "na": "Namibia's alpha-2 code, but in an export far more often 'not available'",
}


def without_accents(text: str) -> str:
    """The text with combining marks removed ('côte d'ivoire' -> 'cote d'ivoire')."""
    return "".join(char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char))


def spelling_forms(text: str) -> set[str]:
    """One spelling lower-cased, with its accent-free, 'st.'/'st' (for 'saint') and '&' (for 'and') forms."""
    forms = {text.lower()}
    forms |= {without_accents(form) for form in forms}
    forms |= {form.replace("saint ", short) for form in forms if form.startswith("saint ") for short in ("st. ", "st ")}
    forms |= {form.replace(" and ", " & ") for form in forms if " and " in form}
    return forms


def country_name(country) -> str:
    """The readable English name of one pycountry country."""
    return NAMES.get(country.alpha_2) or getattr(country, "common_name", None) or country.name


def country_rows() -> list[tuple[str, str]]:
    """Rows of seed `countries`: every ISO 3166-1 country by code, then 'ZZ' / 'Unknown'."""
    rows = sorted((country.alpha_2, country_name(country)) for country in pycountry.countries)
    return [*rows, UNKNOWN_COUNTRY]


def alias_rows() -> list[tuple[str, str]]:
    """Rows of seed `country_aliases` sorted by code then alias; stops when a spelling names two countries."""
    spellings: dict[str, set[str]] = {}
    for country in pycountry.countries:
        code = country.alpha_2
        found = [country.alpha_2, country.alpha_3, country.name, country_name(country)]
        found += [getattr(country, field, None) or "" for field in ("common_name", "official_name")]
        found += EXTRA_ALIASES.get(code, ())
        spellings[code] = {form for text in found if text for form in spelling_forms(text)}
    unknown = set(EXTRA_ALIASES) - set(spellings)
    if unknown:
        raise SystemExit(f"EXTRA_ALIASES names codes that are not ISO 3166-1 countries: {sorted(unknown)}")

    codes_by_alias: dict[str, set[str]] = {}
    for code, aliases in spellings.items():
        for alias in aliases - set(SKIPPED_ALIASES):
            codes_by_alias.setdefault(alias.strip(), set()).add(code)
    clashes = {alias: sorted(codes) for alias, codes in codes_by_alias.items() if len(codes) > 1}
    if clashes:
        raise SystemExit(f"these spellings name more than one country; fix NAMES or EXTRA_ALIASES: {clashes}")
    return sorted(((alias, codes.pop()) for alias, codes in codes_by_alias.items()), key=lambda row: (row[1], row[0]))


def render(header: tuple[str, str], rows: list[tuple[str, str]]) -> str:
    """CSV text of a seed, `\\n` line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def seed_files() -> dict[str, str]:
    """File name -> content of both seeds."""
    return {
        "countries.csv": render(("country_code", "country_name"), country_rows()),
        "country_aliases.csv": render(("alias", "country_code"), alias_rows()),
    }


def main(argv: list[str] | None = None) -> int:
    """Write the seeds (or, with --check, only compare them); 0 when the seeds are up to date afterwards."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare with the committed seeds; exit 1 if stale")
    parser.add_argument("--seeds-dir", type=Path, default=SEEDS_DIR, help="where the seeds are (default: seeds/)")
    args = parser.parse_args(argv)

    stale = []
    for name, content in seed_files().items():
        path = args.seeds_dir / name
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == content:
            continue
        if args.check:
            stale.append(name)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8", newline="")
            print(f"wrote {path} ({content.count(chr(10)) - 1} rows)")
    if stale:
        print(
            f"out of date: {', '.join(stale)} in {args.seeds_dir} - run scripts/generate_country_seeds.py",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
