"""Reference values of the café chain's till sample: branches, the menu and its prices, names, card types.

Facts from the Generation UK data academy's café-chain files (docs/sample_data.md, "Branch tills"): 18 branches,
37 products in two sizes at fixed prices, each branch selling a few of them; the pilot ran on a slightly
different menu with one-size items. Prices are in pence. Customer names share no first or last name with the CRM
sample (warehouse/sample/reference.py), so a search for a till customer's name never finds a CRM customer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

SIZES = ("Regular", "Large")


@dataclass(frozen=True)
class Branch:
    """One café: its display name, opening hours and usual number of orders a day."""

    name: str
    opens: time
    closes: time
    orders: int
    products: tuple[str, ...]  # "<product>" or "<product> - <flavour>", both sizes sold

    @property
    def slug(self) -> str:
        """The file name part: lower case, spaces to underscores, hyphens kept (`southend-on-sea`)."""
        return self.name.lower().replace(" ", "_")

    @property
    def pilot_slug(self) -> str:
        """The pilot's file name part: lower case, spaces to hyphens (`isle-of-wight`)."""
        return self.name.lower().replace(" ", "-")


# (product, flavours, regular price, large price); a flavoured product is one product per flavour: 37 in all.
PRODUCTS: tuple[tuple[str, tuple[str, ...], int, int], ...] = (
    ("Americano", (), 195, 225),
    ("Cappuccino", (), 215, 245),
    ("Chai latte", (), 230, 260),
    ("Cortado", (), 205, 235),
    ("Espresso", (), 150, 180),
    ("Filter coffee", (), 150, 180),
    ("Flat white", (), 215, 245),
    ("Flavoured hot chocolate", ("Caramel", "Hazelnut", "Vanilla"), 260, 290),
    ("Flavoured iced latte", ("Caramel", "Hazelnut", "Vanilla"), 275, 325),
    ("Flavoured latte", ("Caramel", "Hazelnut", "Vanilla"), 255, 285),
    ("Frappes", ("Coffee", "Strawberries & Cream"), 275, 325),
    ("Glass of milk", (), 70, 110),
    ("Hot chocolate", (), 220, 290),
    ("Hot Chocolate", (), 140, 170),  # not the same product as "Hot chocolate": cheaper, capital C
    ("Iced americano", (), 215, 250),
    ("Iced latte", (), 235, 285),
    ("Latte", (), 215, 245),
    ("Luxury hot chocolate", (), 240, 270),
    ("Mocha", (), 230, 270),
    ("Red Label tea", (), 120, 180),
    ("Smoothies", ("Berry Beautiful", "Carrot Kick", "Glowing Greens"), 200, 250),
    (
        "Speciality Tea",
        ("Camomile", "Darjeeling", "Earl Grey", "English breakfast", "Fruit", "Green", "Peppermint"),
        130,
        160,
    ),
)


def _menu() -> dict[tuple[str, str, str], int]:
    prices = {}
    for product, flavours, regular, large in PRODUCTS:
        for flavour in flavours or ("",):
            prices[("Regular", product, flavour)] = regular
            prices[("Large", product, flavour)] = large
    return prices


MENU: dict[tuple[str, str, str], int] = _menu()  # (size, product, flavour or "") -> price in pence

# Off-menu items a till sometimes rings up (the unknown_product defect): a new drink, or a flavour the current
# menu does not have. (product, flavour, regular, large)
UNKNOWN_PRODUCTS: tuple[tuple[str, str, int, int], ...] = (
    ("Pumpkin spice latte", "", 265, 295),
    ("Matcha latte", "", 250, 280),
    ("Cold brew", "", 225, 255),
    ("Flavoured latte", "Gingerbread", 255, 285),
    ("Smoothies", "Mango Tango", 200, 250),
)

# The pilot's menu (Feb 2021 layout): (size or "" for one-size, product, flavour or "", price).
PILOT_MENU: tuple[tuple[str, str, str, int], ...] = (
    ("Regular", "Latte", "", 215),
    ("Large", "Latte", "", 245),
    ("Regular", "Cappuccino", "", 215),
    ("Large", "Cappuccino", "", 245),
    ("Regular", "Americano", "", 195),
    ("Large", "Americano", "", 225),
    ("Regular", "Hot chocolate", "", 220),
    ("Large", "Hot chocolate", "", 290),
    ("Regular", "Chai latte", "", 230),
    ("Large", "Chai latte", "", 260),
    ("Regular", "Flavoured latte", "Gingerbread", 255),
    ("Large", "Flavoured latte", "Gingerbread", 285),
    ("Regular", "Frappes", "Chocolate Cookie", 275),
    ("Large", "Frappes", "Chocolate Cookie", 325),
    ("", "Babyccino", "", 0),
    ("", "Espresso", "", 150),
    ("", "Cortado", "", 205),
    ("", "Filter coffee", "", 150),
    ("", "Red Label tea", "", 120),
    ("", "Glass of milk", "", 70),
    ("", "Speciality Tea", "Earl Grey", 130),
    ("", "Speciality Tea", "Peppermint", 130),
)
PILOT_PRICES: dict[tuple[str, str, str], int] = {(size, p, f): price for size, p, f, price in PILOT_MENU}

NINE, EIGHT, FIVE, NINE_PM = time(9), time(8), time(17), time(21)

# The 18 branches: names from the academy's file names (2021-2023; Liverpool and Manchester added), late
# branches open 08:00-21:00, the others 09:00-17:00; orders a day around London Brixton's ~530 and Piccadilly's ~185.
BRANCHES: tuple[Branch, ...] = (
    Branch(
        "Birmingham",
        NINE,
        FIVE,
        280,
        ("Americano", "Cappuccino", "Latte", "Mocha", "Hot chocolate", "Flavoured latte - Vanilla", "Glass of milk"),
    ),
    Branch(
        "Bradford",
        EIGHT,
        NINE_PM,
        420,
        (
            "Americano",
            "Espresso",
            "Cortado",
            "Flat white",
            "Red Label tea",
            "Hot Chocolate",
            "Speciality Tea - Earl Grey",
            "Speciality Tea - Green",
            "Luxury hot chocolate",
            "Frappes - Coffee",
        ),
    ),
    Branch(
        "Brighton",
        NINE,
        FIVE,
        230,
        (
            "Iced latte",
            "Smoothies - Berry Beautiful",
            "Smoothies - Carrot Kick",
            "Smoothies - Glowing Greens",
            "Speciality Tea - Fruit",
        ),
    ),
    Branch(
        "Bristol",
        EIGHT,
        NINE_PM,
        450,
        (
            "Latte",
            "Cappuccino",
            "Flat white",
            "Flavoured hot chocolate - Caramel",
            "Flavoured hot chocolate - Hazelnut",
            "Flavoured hot chocolate - Vanilla",
            "Hot chocolate",
            "Hot Chocolate",
            "Speciality Tea - Camomile",
        ),
    ),
    Branch(
        "Chesterfield",
        NINE,
        FIVE,
        230,
        (
            "Latte",
            "Flat white",
            "Flavoured latte - Hazelnut",
            "Flavoured iced latte - Caramel",
            "Flavoured iced latte - Hazelnut",
            "Flavoured iced latte - Vanilla",
        ),
    ),
    Branch(
        "Edinburgh",
        NINE,
        FIVE,
        255,
        (
            "Americano",
            "Filter coffee",
            "Speciality Tea - Darjeeling",
            "Speciality Tea - Peppermint",
            "Red Label tea",
            "Glass of milk",
        ),
    ),
    Branch("Isle of Wight", NINE, FIVE, 200, ("Latte", "Hot chocolate", "Frappes - Strawberries & Cream", "Espresso")),
    Branch(
        "Leeds",
        NINE,
        FIVE,
        263,
        ("Chai latte", "Filter coffee", "Hot Chocolate", "Iced americano", "Speciality Tea - English breakfast"),
    ),
    Branch("Leicester", NINE, FIVE, 240, ("Mocha", "Chai latte", "Cortado")),
    Branch(
        "Liverpool",
        NINE,
        FIVE,
        265,
        (
            "Cappuccino",
            "Iced americano",
            "Iced latte",
            "Flavoured iced latte - Vanilla",
            "Frappes - Coffee",
            "Frappes - Strawberries & Cream",
        ),
    ),
    Branch(
        "London Brixton",
        EIGHT,
        NINE_PM,
        530,
        (
            "Americano",
            "Latte",
            "Cappuccino",
            "Flat white",
            "Espresso",
            "Mocha",
            "Hot chocolate",
            "Chai latte",
            "Smoothies - Berry Beautiful",
            "Speciality Tea - English breakfast",
        ),
    ),
    Branch(
        "London Camden",
        NINE,
        FIVE,
        310,
        (
            "Flavoured latte - Caramel",
            "Flavoured latte - Hazelnut",
            "Flavoured latte - Vanilla",
            "Iced latte",
            "Cortado",
        ),
    ),
    Branch("London Piccadilly", NINE, FIVE, 185, ("Espresso", "Americano")),
    Branch(
        "London Soho",
        NINE,
        FIVE,
        330,
        (
            "Flat white",
            "Cortado",
            "Filter coffee",
            "Luxury hot chocolate",
            "Speciality Tea - Green",
            "Speciality Tea - Earl Grey",
            "Hot Chocolate",
        ),
    ),
    Branch(
        "Manchester",
        NINE,
        FIVE,
        300,
        ("Latte", "Americano", "Red Label tea", "Hot chocolate", "Glass of milk", "Flavoured hot chocolate - Vanilla"),
    ),
    Branch(
        "Newcastle upon Tyne",
        EIGHT,
        NINE_PM,
        460,
        (
            "Cappuccino",
            "Latte",
            "Mocha",
            "Iced americano",
            "Smoothies - Glowing Greens",
            "Speciality Tea - Fruit",
            "Speciality Tea - Peppermint",
            "Hot Chocolate",
        ),
    ),
    Branch("Southend-on-Sea", NINE, FIVE, 220, ("Iced latte", "Iced americano", "Smoothies - Carrot Kick")),
    Branch(
        "Uppingham",
        NINE,
        FIVE,
        190,
        ("Chai latte", "Speciality Tea - Camomile", "Speciality Tea - Darjeeling", "Luxury hot chocolate"),
    ),
)
BRANCH_BY_NAME: dict[str, Branch] = {branch.name: branch for branch in BRANCHES}

# The other spelling some tills use for their branch (the branch_name_variant defect).
BRANCH_VARIANTS: dict[str, str] = {
    "Newcastle upon Tyne": "Newcastle Upon Tyne",
    "Southend-on-Sea": "Southend on Sea",
    "Isle of Wight": "Isle Of Wight",
}

PILOT_BRANCH = "Isle of Wight"
PILOT_OPENS, PILOT_CLOSES = time(9), time(18)

# Orders by hour of the day: busiest at 10:00 and 13:00-15:00 (late branches trade on into the evening).
HOUR_WEIGHTS: dict[int, float] = {
    8: 0.8, 9: 1.0, 10: 1.6, 11: 1.1, 12: 1.2, 13: 1.5, 14: 1.5, 15: 1.4,
    16: 1.0, 17: 0.9, 18: 0.8, 19: 0.6, 20: 0.5,
}  # fmt: skip
ITEM_COUNT_WEIGHTS: tuple[float, ...] = (0.25, 0.25, 0.20, 0.15, 0.10, 0.05)  # 1..6 items an order
CARD_SHARE = 0.70
# Regulars: each branch has REGULARS customers who come back on other days with the same card; this share of its
# card orders is theirs (the rest are one-off card holders), so new and repeat card holders can be told apart.
REGULARS = 150
REGULAR_SHARE = 0.30

# The pilot's card types: (name, prefixes, digits).
PILOT_CARD_TYPES: tuple[tuple[str, tuple[str, ...], int], ...] = (
    ("visa16", ("4",), 16),
    ("visa13", ("4",), 13),
    ("mastercard", ("51", "52", "53", "54", "55"), 16),
    ("americanexpress", ("34", "37"), 15),
    ("discover", ("6011",), 16),
)

# Faker-style British names, none of them in the CRM sample's lists (a test checks).
FIRST_NAMES: tuple[str, ...] = (
    "Oliver", "George", "Harry", "Jack", "Jacob", "Charlie", "Oscar", "Alfie", "Henry", "Leo",
    "Archie", "Freddie", "Ethan", "Isaac", "Alexander", "Edward", "Max", "Arthur", "Theo", "Logan",
    "Reuben", "Toby", "Callum", "Connor", "Declan", "Ciaran", "Rhys", "Gareth", "Dylan", "Owen",
    "Euan", "Fraser", "Hamish", "Angus", "Kieran", "Jamie", "Ross", "Craig", "Gavin", "Nathan",
    "Aaron", "Imran", "Ravi", "Arjun", "Mohammed", "Tariq", "Kwame", "Tomasz", "Piotr", "Marek",
    "Stuart", "Graham", "Nigel", "Derek", "Trevor", "Keith", "Colin", "Alan", "Barry", "Clive",
    "Amelia", "Isla", "Ava", "Mia", "Isabella", "Grace", "Poppy", "Ella", "Lily", "Evie",
    "Freya", "Florence", "Millie", "Phoebe", "Imogen", "Harriet", "Matilda", "Ruby", "Rosie", "Eleanor",
    "Esme", "Maisie", "Niamh", "Aoife", "Siobhan", "Bethany", "Abigail", "Hollie", "Kirsty", "Leanne",
    "Gemma", "Rhiannon", "Megan", "Carys", "Ffion", "Shannon", "Lauren", "Jade", "Kayleigh", "Zara",
    "Priya", "Aisha", "Fatima", "Amira", "Yasmin", "Anjali", "Mei", "Ewa", "Zofia", "Agnieszka",
    "Joanne", "Tracey", "Julie", "Deborah", "Gillian", "Pauline", "Hazel", "Shirley", "Maureen", "Valerie",
)  # fmt: skip
LAST_NAMES: tuple[str, ...] = (
    "Ahmed", "Ali", "Atkinson", "Bailey", "Barker", "Barnes", "Bell", "Bennett", "Birch", "Booth",
    "Bradley", "Brooks", "Burgess", "Butler", "Chambers", "Chapman", "Cole", "Collins", "Cook", "Cooper",
    "Cox", "Crawford", "Cunningham", "Dale", "Dawson", "Dean", "Dixon", "Doyle", "Duncan", "Edwards",
    "Elliott", "Ellis", "Farrell", "Fleming", "Fletcher", "Ford", "Foster", "Fox", "Gallagher", "Gibson",
    "Gill", "Goodwin", "Gordon", "Graham", "Grant", "Gray", "Griffiths", "Hamilton", "Hancock", "Harding",
    "Hardy", "Harper", "Hart", "Hawkins", "Hayes", "Holmes", "Hopkins", "Howard", "Hughes", "Hunt",
    "Hussain", "Jenkins", "Kaur", "Kelly", "Kennedy", "Khan", "Knight", "Lamb", "Lawrence", "Lloyd",
    "Lowe", "Mann", "Marsh", "Marshall", "Mason", "Matthews", "Mills", "Morgan", "Morris", "Murphy",
    "Murray", "Norman", "Palmer", "Patel", "Payne", "Pearce", "Pearson", "Perry", "Powell", "Price",
    "Quinn", "Reid", "Reynolds", "Richards", "Riley", "Robertson", "Robinson", "Rogers", "Russell", "Ryan",
    "Saunders", "Shaw", "Simpson", "Singh", "Slater", "Stevens", "Stewart", "Stone", "Sutton", "Swift",
    "Thornton", "Townsend", "Tucker", "Walsh", "Ward", "Watson", "Watts", "Webb", "Wells", "West",
    "Whitehouse", "Wilkinson", "Williamson", "Woods", "Yates", "Hargreaves", "Ashworth", "Pemberton", "Lockwood",
    "Fairclough", "Kowalski", "Nowak", "Okafor", "Mensah", "Begum", "Chowdhury", "Osei", "Barlow", "Sharpe",
    "Bryant", "Holt", "Kirby", "Lister", "Metcalfe", "Naylor", "Oakley", "Pollard", "Rowley", "Sykes",
    "Tranter", "Upton", "Vickers", "Wainwright", "Whittaker", "Ackroyd", "Blackburn", "Cartwright", "Dunn", "Eastwood",
)  # fmt: skip
