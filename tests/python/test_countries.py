"""The country reference is the world: the seeds hold every ISO 3166-1 country, and the marts keep them."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import pycountry
import pytest
from conftest import Workspace

from warehouse import job
from warehouse.dbt_runner import run_dbt
from warehouse.sample import reference
from warehouse.settings import PROJECT_DIR

SEEDS_DIR = PROJECT_DIR / "seeds"


def _load_generator():
    spec = importlib.util.spec_from_file_location(
        "generate_country_seeds", PROJECT_DIR / "scripts" / "generate_country_seeds.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _seed(name: str) -> list[dict[str, str]]:
    with (SEEDS_DIR / name).open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def test_committed_seeds_are_what_the_script_writes(tmp_path: Path) -> None:
    generator = _load_generator()
    assert generator.main(["--seeds-dir", str(tmp_path)]) == 0
    for name in ("countries.csv", "country_aliases.csv"):
        assert (tmp_path / name).read_bytes() == (SEEDS_DIR / name).read_bytes(), (
            f"seeds/{name} is out of date: run scripts/generate_country_seeds.py"
        )
    assert generator.main(["--check"]) == 0


def test_seeds_hold_every_iso_country_and_unique_lower_case_aliases() -> None:
    names = {row["country_code"]: row["country_name"] for row in _seed("countries.csv")}
    assert len(names) == len(_seed("countries.csv")), "a country code is listed twice"
    assert set(names) == {country.alpha_2 for country in pycountry.countries} | {"ZZ"}
    assert names["ZZ"] == "Unknown"
    assert (names["BO"], names["KR"], names["CI"]) == ("Bolivia", "South Korea", "Côte d'Ivoire")

    aliases = _seed("country_aliases.csv")
    keys = [row["alias"] for row in aliases]
    assert len(keys) == len(set(keys)), "an alias is listed twice"
    assert all(key == key.strip().lower() and key for key in keys)
    by_alias = {row["alias"]: row["country_code"] for row in aliases}
    assert set(by_alias.values()) <= set(names) - {"ZZ"}
    for country in pycountry.countries:
        for spelling in (country.alpha_2, country.alpha_3, country.name):
            if spelling.lower() != "na":  # Namibia's alpha-2: 'not available' far more often (see the script)
                assert by_alias[spelling.lower()] == country.alpha_2, spelling
    assert by_alias["cote d'ivoire"] == by_alias["ivory coast"] == "CI"
    assert "na" not in by_alias and by_alias["namibia"] == "NA"


def test_every_spelling_the_sample_emits_keeps_its_country_and_name() -> None:
    """The sample's ground truth needs its spellings (the whole alias seed before it held the world) to resolve."""
    names = {row["country_code"]: row["country_name"] for row in _seed("countries.csv")}
    by_alias = {row["alias"]: row["country_code"] for row in _seed("country_aliases.csv")}
    for code, name, _, _ in reference.COUNTRIES:
        assert names[code] == name
        for spelling in reference.country_variants(code):
            assert by_alias.get(spelling.strip().lower()) == code, spelling
    for token in reference.UNRECOGNISED_COUNTRY_TOKENS:
        assert token.strip().lower() not in by_alias


# 25 real countries, written as a global CRM export writes them: names, common names, ISO names, upper and lower
# case, alpha-2 and alpha-3 codes, accents, padding and common aliases. Customer id, country as written, expected.
GLOBAL_CUSTOMERS: tuple[tuple[str, str, str, str], ...] = (
    ("C01", "Germany", "DE", "Germany"),
    ("C02", "japan", "JP", "Japan"),
    ("C03", "BRAZIL", "BR", "Brazil"),
    ("C04", "Bolivia", "BO", "Bolivia"),
    ("C05", "South Korea", "KR", "South Korea"),
    ("C06", "Vietnam", "VN", "Vietnam"),
    ("C07", "Iran, Islamic Republic of", "IR", "Iran"),
    ("C08", "MEXICO", "MX", "Mexico"),
    ("C09", "new zealand", "NZ", "New Zealand"),
    ("C10", "IN", "IN", "India"),
    ("C11", "se", "SE", "Sweden"),
    ("C12", "No", "NO", "Norway"),
    ("C13", "ARG", "AR", "Argentina"),
    ("C14", "zaf", "ZA", "South Africa"),
    ("C15", "Che", "CH", "Switzerland"),
    ("C16", "Côte d'Ivoire", "CI", "Côte d'Ivoire"),
    ("C17", "TÜRKIYE", "TR", "Türkiye"),
    ("C18", "UK", "GB", "United Kingdom"),
    ("C19", "U.S.A.", "US", "United States"),
    ("C20", "Czech Republic", "CZ", "Czechia"),
    ("C21", "Russia", "RU", "Russia"),
    ("C22", "Federal Republic of Nigeria", "NG", "Nigeria"),
    ("C23", "  Egypt ", "EG", "Egypt"),
    ("C24", "the Philippines", "PH", "Philippines"),
    ("C25", "España", "ES", "Spain"),
    ("C26", "Atlantis", "ZZ", "Unknown"),
)
SHOP = """
create table transactions (
    transaction_id bigint not null,
    customer_id varchar,
    amount varchar,
    transaction_date varchar
);
insert into transactions values (1, 'C01', '600.00', '2024-01-05'), (2, 'C16', '750', '2024-01-06'),
    (3, 'C26', '12.50', '2024-01-07');
"""


def test_customers_from_25_countries_keep_their_country_in_the_marts(
    workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A CRM export with customers from 25 countries, written 25 ways: all 25 in the marts; a made-up one Unknown."""
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "logs"))
    settings = workspace.settings
    settings.customers_landing_dir.mkdir(parents=True)
    with (settings.customers_landing_dir / "customers_20240101.csv").open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(("customer_id", "name", "age", "country", "is_active"))
        writer.writerows(
            (customer_id, "Ann Lee", "40", country, "yes") for customer_id, country, _, _ in GLOBAL_CUSTOMERS
        )
    workspace.query(SHOP, workspace.source_dbname)
    connection = workspace.connection
    job.ingest(connection, settings)
    # Only the models under the by-country report and their data tests (cautious: no test of a model not built
    # here); the unit tests do not read the seeds.
    run_dbt(
        [
            "build",
            "--select",
            "+rpt_high_value_customers_by_country",
            "--indirect-selection",
            "cautious",
            "--exclude-resource-type",
            "unit_test",
        ],
        connection,
        settings,
    )

    expected = {customer_id: (code, name) for customer_id, _, code, name in GLOBAL_CUSTOMERS}
    dim = workspace.query("select customer_id, country_code, country_name from marts.dim_customers")
    assert {customer_id: (code, name) for customer_id, code, name in dim} == expected
    assert len({code for code, _ in expected.values()} - {"ZZ"}) == 25

    by_country = workspace.query(
        "select country_code, country_name, active_customers, high_value_customers"
        " from marts.rpt_high_value_customers_by_country"
    )
    high_value = {"DE", "CI"}
    assert sorted(by_country) == sorted((code, name, 1, int(code in high_value)) for code, name in expected.values())
