"""The ERP's static reference rows: currencies, departments, staff, addresses, counterparties, payment types, and the
designs that exist before the history starts. The same for every seed and scale (drawn once from a fixed
generator), modelled on the real source's values (docs/sample_data.md, "ERP (totesys)"); all names are made up.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from warehouse.sample.erp_schema import PAYMENT_TYPE_NAMES

REFERENCE_CREATED = "2022-11-03 14:20:49.962"  # every reference row's created_at and last_updated
CURRENCIES = ("GBP", "USD", "EUR")
# (name, location, manager), "Leds" as in the real source (a typo a cleaning rule can target).
DEPARTMENTS = (
    ("Sales", "Manchester", "Richard Roma"),
    ("Purchasing", "Manchester", "Naomi Lapaglia"),
    ("Production", "Leeds", "Chester Ming"),
    ("Dispatch", "Leds", "Mark Hanna"),
    ("Finance", "Manchester", "Jordan Belfort"),
    ("Facilities", "Manchester", "Shelley Levene"),
    ("Communications", "Leeds", "Ann Blake"),
    ("HR", "Leeds", "James Link"),
)
# Staff per department id: nobody is in Sales (1), yet every one of them raises sales orders.
STAFF_PER_DEPARTMENT = {2: 5, 3: 5, 6: 3, 8: 2, 7: 2, 5: 2, 4: 1}
DESIGN_NAMES = (
    "Steel", "Soft", "Granite", "Concrete", "Frozen", "Bronze", "Plastic", "Cotton", "Metal", "Fresh", "Wooden",
    "Rubber",
)  # fmt: skip
FILE_LOCATIONS = (
    "/usr", "/etc", "/etc/periodic", "/etc/defaults", "/lost+found", "/private", "/private/var", "/private/tmp",
    "/Library", "/System", "/Users", "/Network", "/opt", "/opt/bin", "/opt/include", "/opt/lib", "/opt/sbin",
    "/opt/share", "/bin", "/boot", "/boot/defaults", "/dev", "/home", "/home/user", "/home/user/dir", "/lib", "/media",
    "/mnt", "/net", "/proc", "/root", "/run", "/sbin", "/srv", "/sys", "/tmp", "/var", "/var/log", "/var/mail",  # nosec B108: file paths of sample designs, never opened
    "/var/spool", "/var/tmp", "/var/yp", "/usr/bin", "/usr/include", "/usr/lib", "/usr/libexec", "/usr/local",  # nosec B108: file paths of sample designs, never opened
    "/usr/local/bin", "/usr/local/src", "/usr/obj", "/usr/ports", "/usr/sbin", "/usr/share", "/usr/src",
    "/Applications", "/Volumes", "/cores", "/private/etc", "/selinux", "/kernel",
)  # fmt: skip
INITIAL_DESIGNS = 50

FIRST_NAMES = (
    "Jeremie", "Deron", "Jeanette", "Ana", "Magdalena", "Korey", "Raphael", "Oswaldo", "Brody", "Jazmyn", "Meda",
    "Imani", "Stan", "Rigoberto", "Tom", "Pierre", "Mateo", "Lorenzo", "Mariela", "Haleigh", "Kennedi", "Idell",
)  # fmt: skip
SURNAMES = (
    "Franey", "Beier", "Ledner", "Glover", "Zieme", "Hagenes", "Reynolds", "Bergnaum", "Ruecker", "Kuhic", "Rohan",
    "Rippin", "Lehner", "Bauch", "Hermann", "Heller", "Macejkovic", "Graham", "Osinski", "Hilpert", "Herzog",
    "Kuhlman", "Krajcik", "Keeling", "Emmerich", "Fahey", "Armstrong", "Kohler", "Wintheiser", "Schowalter",
    "Hansen", "Dibbert", "Frami", "Jacobs", "Mraz", "Cronin", "Konopelski", "Bode", "Leannon", "Predovic",
)  # fmt: skip
STREET_SUFFIXES = ("Via", "Road", "Lane", "Knoll", "Mews", "Spur", "Ridge", "Pass", "Crescent", "Gardens", "Plains")
CITY_PREFIXES = ("New ", "East ", "West ", "North ", "South ", "Lake ", "Port ", "", "", "")
CITY_SUFFIXES = ("burgh", "ville", "fort", "side", "haven", "borough", "mouth", "stad", "view", "land", "berg")
DISTRICTS = ("Avon", "Bedfordshire", "Berkshire", "Buckinghamshire", "Cambridgeshire", "Cheshire", "Cornwall")
COUNTRIES = (
    "Turkey", "San Marino", "Samoa", "Austria", "Antigua and Barbuda", "Democratic People's Republic of Korea",
    "Cayman Islands", "Comoros", "Lithuania", "Guernsey", "Lebanon", "United Arab Emirates", "Iceland", "Chile",
    "Congo", "Sierra Leone", "Bosnia and Herzegovina", "Bermuda", "Greenland", "Costa Rica", "Romania",
    "Northern Mariana Islands", "Saint Helena", "Tuvalu", "Norway", "Mauritania", "Nepal", "Peru", "Mexico",
)  # fmt: skip
ADDRESSES = 30
COUNTERPARTIES = 20
LEGAL_ADDRESSES = 14  # distinct legal addresses of the 20 counterparties


@dataclass(frozen=True)
class Reference:
    """The reference tables' rows, each a tuple in the table's column order without the timestamps."""

    currency: list[tuple]
    department: list[tuple]
    staff: list[tuple]
    address: list[tuple]
    counterparty: list[tuple]
    payment_type: list[tuple]

    def rows(self, table: str) -> list[tuple]:
        return getattr(self, table)


def _person(rng: random.Random) -> tuple[str, str]:
    return rng.choice(FIRST_NAMES), rng.choice(SURNAMES)


def _company(rng: random.Random) -> str:
    a, b, c = rng.sample(SURNAMES, 3)
    return rng.choice((f"{a} and Sons", f"{a} Inc", f"{a} - {b}", f"{a}, {b} and {c}", f"{a} LLC", f"{a} Group"))


def build_reference() -> Reference:
    """The reference rows (fixed: no seed)."""
    rng = random.Random(20221103)  # nosec B311: sample data, reproducible on purpose
    staff, used = [], set()
    for department_id, count in STAFF_PER_DEPARTMENT.items():
        for _ in range(count):
            first, last = _person(rng)
            while (first, last) in used:
                first, last = _person(rng)
            used.add((first, last))
            email = f"{first.lower()}.{last.lower()}@terrifictotes.com"
            staff.append((len(staff) + 1, first, last, department_id, email))
    address = []
    for i in range(ADDRESSES):
        line_1 = f"{rng.randint(1, 9999)} {rng.choice(SURNAMES)} {rng.choice(STREET_SUFFIXES)}"
        line_2 = f"{rng.choice(SURNAMES)} {rng.choice(STREET_SUFFIXES)}" if i % 3 == 0 else None  # 10 of 30 set
        district = rng.choice(DISTRICTS) if rng.random() < 0.55 else None
        city = f"{rng.choice(CITY_PREFIXES)}{rng.choice(SURNAMES)}{rng.choice(CITY_SUFFIXES)}"
        postal = f"{rng.randint(10000, 99999)}" + (f"-{rng.randint(1000, 9999)}" if rng.random() < 0.4 else "")
        phone = f"{rng.randint(1000, 9999)} {rng.randint(100000, 999999)}"
        address.append((i + 1, line_1, line_2, district, city, postal, COUNTRIES[i % len(COUNTRIES)], phone))
    legal = rng.sample(range(1, ADDRESSES + 1), LEGAL_ADDRESSES)
    counterparty = []
    for i in range(COUNTERPARTIES):
        legal_address = legal[i] if i < LEGAL_ADDRESSES else rng.choice(legal)
        contacts = [" ".join(_person(rng)), " ".join(_person(rng))]
        counterparty.append((i + 1, _company(rng), legal_address, *contacts))
    return Reference(
        currency=[(i + 1, code) for i, code in enumerate(CURRENCIES)],
        department=[(i + 1, *row) for i, row in enumerate(DEPARTMENTS)],
        staff=staff,
        address=address,
        counterparty=counterparty,
        payment_type=[(i + 1, name) for i, name in enumerate(PAYMENT_TYPE_NAMES)],
    )


def initial_designs() -> list[tuple[int, str, str, str]]:
    """The designs that exist before the history starts: (design_id, design_name, file_location, file_name)."""
    rng = random.Random(473)  # nosec B311: sample data, reproducible on purpose
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    rows = []
    for i in range(INITIAL_DESIGNS):
        name = rng.choice(DESIGN_NAMES)
        stamp = f"2022{rng.randint(1, 10):02d}{rng.randint(1, 28):02d}"
        suffix = "".join(rng.choice(alphabet) for _ in range(4))
        rows.append((i + 1, name, rng.choice(FILE_LOCATIONS), f"{name.lower()}-{stamp}-{suffix}.json"))
    return rows
