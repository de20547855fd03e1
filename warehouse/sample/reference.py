"""Reference values of the sample: its countries and their spellings, names, and the raw tokens it emits.

The sample draws its customers from the ten countries of `COUNTRIES`. The seeds `countries` and `country_aliases`
hold every ISO 3166-1 country (scripts/generate_country_seeds.py); a test checks that each spelling the generator
emits resolves there to its country and name, and that the unrecognised tokens resolve to nothing.
"""

from __future__ import annotations

UNKNOWN_COUNTRY_CODE = "ZZ"
UNKNOWN_COUNTRY_NAME = "Unknown"

# code, name, share of customers, raw spellings seen in the CRM (the first one is the canonical spelling).
COUNTRIES: tuple[tuple[str, str, float, tuple[str, ...]], ...] = (
    ("GB", "United Kingdom", 0.25, ("United Kingdom", "UK", "U.K.", "GB", "Great Britain", "Britain")),
    (
        "US",
        "United States",
        0.22,
        ("United States", "USA", "U.S.", "US", "U.S.A.", "United States of America"),
    ),
    ("DE", "Germany", 0.12, ("Germany", "DE", "Deutschland")),
    ("FR", "France", 0.10, ("France", "FR")),
    ("ES", "Spain", 0.07, ("Spain", "ES", "Espana")),
    ("IT", "Italy", 0.06, ("Italy", "IT", "Italia")),
    ("NL", "Netherlands", 0.06, ("Netherlands", "NL", "The Netherlands", "Holland")),
    ("IE", "Ireland", 0.04, ("Ireland", "IE", "Republic of Ireland")),
    ("CA", "Canada", 0.05, ("Canada", "CA")),
    ("AU", "Australia", 0.03, ("Australia", "AU")),
)
COUNTRY_CODES: tuple[str, ...] = tuple(code for code, _, _, _ in COUNTRIES)
COUNTRY_SHARES: tuple[float, ...] = tuple(share for _, _, share, _ in COUNTRIES)

# Countries that cannot be resolved: empty, or a value no alias covers.
MISSING_COUNTRY_TOKENS: tuple[str, ...] = ("", "  ")
UNRECOGNISED_COUNTRY_TOKENS: tuple[str, ...] = ("Atlantis", "Narnia", "atlantis")

# Names whose title case survives Postgres initcap unchanged (no Mc/Mac, apostrophes or hyphens).
FIRST_NAMES: tuple[str, ...] = (
    "James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "William", "Elizabeth",
    "David", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen",
    "Daniel", "Nancy", "Matthew", "Lisa", "Anthony", "Betty", "Mark", "Margaret", "Paul", "Sandra",
    "Steven", "Ashley", "Andrew", "Emily", "Joshua", "Donna", "Lukas", "Sophie", "Pierre", "Marie",
    "Hans", "Anna", "Luca", "Giulia", "Pablo", "Lucia", "Liam", "Chloe", "Noah", "Olivia",
)  # fmt: skip
LAST_NAMES: tuple[str, ...] = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson", "Taylor",
    "Thomas", "Moore", "Jackson", "Martin", "Lee", "Thompson", "White", "Harris", "Clark", "Lewis",
    "Walker", "Hall", "Allen", "Young", "King", "Wright", "Scott", "Green", "Baker", "Adams",
    "Nelson", "Hill", "Campbell", "Mitchell", "Roberts", "Carter", "Phillips", "Evans", "Turner", "Parker",
    "Muller", "Schmidt", "Schneider", "Fischer", "Dubois", "Moreau", "Garcia", "Martinez", "Rossi", "Bianchi",
)  # fmt: skip

# Ages that clean to null: empty, non-numeric, out of range 0-120.
MISSING_AGE_TOKENS: tuple[str, ...] = ("",)
NON_NUMERIC_AGE_TOKENS: tuple[str, ...] = ("abc", "forty", "N/A")
OUT_OF_RANGE_AGE_TOKENS: tuple[str, ...] = ("-3", "150", "999")

# is_active spellings with the value they clean to, and the weight of each within its value.
ACTIVE_TRUE_TOKENS: tuple[tuple[str, float], ...] = (
    ("yes", 0.35), ("Y", 0.15), ("1", 0.15), ("true", 0.15), ("TRUE", 0.1), ("t", 0.05), (" yes", 0.05),
)  # fmt: skip
ACTIVE_FALSE_TOKENS: tuple[tuple[str, float], ...] = (
    ("no", 0.25), ("N", 0.15), ("0", 0.15), ("False", 0.1), ("false", 0.1), ("f", 0.05),
    ("", 0.1), ("maybe", 0.1),
)  # fmt: skip
ACTIVE_MISSING = ("",)
ACTIVE_UNRECOGNISED = ("maybe",)

# Transaction tokens that cannot be made valid.
MISSING_TOKENS: tuple[str | None, ...] = (None, "", "  ")
UNPARSEABLE_AMOUNT_TOKENS: tuple[str, ...] = ("abc", "12..5", "ten", "1.2.3", "N/A")
INVALID_DATE_TOKENS: tuple[str, ...] = (
    "2024-02-30", "2025-04-31", "2024-13-01", "2024-11-31", "2024/02/30", "next tuesday", "yesterday",
)  # fmt: skip
FUTURE_YEARS: tuple[int, ...] = (2052, 2205, 2250, 2042)


def country_variants(code: str) -> tuple[str, ...]:
    """Every raw spelling of one country the generator emits: aliases with case and whitespace noise."""
    for country_code, _, _, aliases in COUNTRIES:
        if country_code == code:
            variants: list[str] = []
            for alias in aliases:
                for variant in (alias, alias.lower(), alias.upper(), f" {alias}", f"{alias}  "):
                    if variant not in variants:
                        variants.append(variant)
            return tuple(variants)
    raise KeyError(code)
