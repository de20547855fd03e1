"""The marts against the sample's ground truth: spending accuracy, high-value set, defect counts, reconciliation."""

from __future__ import annotations

import csv
import json
from decimal import Decimal

import psycopg2
import pytest

from warehouse.settings import PROJECT_DIR

# The one list of the sources' issue values, reject reasons and issue classes (seeds/_seeds.yml).
DATA_QUALITY_RULES = PROJECT_DIR / "seeds" / "data_quality_rules.csv"


def _data_quality_rules() -> list[dict[str, str]]:
    with DATA_QUALITY_RULES.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def _rule_sources() -> list[str]:
    return sorted({rule["source_name"] for rule in _data_quality_rules()})


def _customer_domain_sources() -> list[str]:
    """The sources whose truth is the sample's defects.json (the tills and the ERP have their own truth)."""
    return [source for source in _rule_sources() if not source.startswith(("tills.", "erp."))]


def _truth_source(source_name: str) -> str:
    """The sample's name of a source in defects.json: the table part of the marts' source_name."""
    return source_name.split(".", 1)[1]


def _rows(built_warehouse, statement: str) -> list[tuple]:
    with psycopg2.connect(built_warehouse.connection.libpq_dsn()) as conn, conn.cursor() as cursor:
        cursor.execute(statement)
        return cursor.fetchall()


def _truth(built_warehouse) -> dict[str, dict[str, str]]:
    path = built_warehouse.settings.truth_dir / "customers_truth.csv"
    with path.open(encoding="utf-8", newline="") as file:
        return {row["customer_id"]: row for row in csv.DictReader(file)}


def _defects(built_warehouse) -> dict:
    return json.loads((built_warehouse.settings.truth_dir / "defects.json").read_text(encoding="utf-8"))


def _decimal(text: str) -> Decimal | None:
    return Decimal(text) if text else None


def test_customer_marts_match_the_ground_truth(built_warehouse, report_figure) -> None:
    """Every customer's attributes and spending in dim_customers/rpt_customer_spending equal customers_truth.csv."""
    truth = _truth(built_warehouse)
    dim = {
        row[0]: row
        for row in _rows(
            built_warehouse,
            "select customer_id, age, country_code, is_active, total_spent, avg_transaction_value,"
            " transaction_count, is_high_value from marts.dim_customers",
        )
    }
    spending = {
        row[0]: row
        for row in _rows(
            built_warehouse,
            "select customer_id, total_spent, avg_transaction_value, transaction_count"
            " from marts.rpt_customer_spending",
        )
    }
    right = 0
    wrong: list[str] = []
    for customer_id, expected in truth.items():
        want = (
            customer_id,
            int(expected["age"]) if expected["age"] else None,
            expected["country_code"],
            expected["is_active"] == "true",
            Decimal(expected["total_spent"]),
            _decimal(expected["avg_transaction_value"]),
            int(expected["transaction_count"]),
            expected["is_high_value"] == "true",
        )
        got = dim.get(customer_id)
        ok = got is not None and tuple(got) == want
        if want[3]:  # active customers must also be in the spending report, with the same figures
            ok = ok and spending.get(customer_id) == (customer_id, want[4], want[5], want[6])
        else:
            ok = ok and customer_id not in spending
        if ok:
            right += 1
        elif len(wrong) < 10:
            wrong.append(f"{customer_id}: expected {want}, got {got}")
    share = right / len(truth)
    report_figure(f"customer rows exactly right vs ground truth: {right}/{len(truth)} = {share:.2%}")
    assert set(dim) == set(truth), "dim_customers does not hold exactly the truth's customers"
    assert share >= 0.99, "\n".join(wrong)


def test_high_value_set_is_identical_to_the_truth(built_warehouse) -> None:
    """rpt_high_value_customers holds exactly the customers the truth marks high-value."""
    expected = {cid for cid, row in _truth(built_warehouse).items() if row["is_high_value"] == "true"}
    got = {row[0] for row in _rows(built_warehouse, "select customer_id from marts.rpt_high_value_customers")}
    assert expected, "the sample has no high-value customer; the test would prove nothing"
    assert got == expected, f"missing {sorted(expected - got)[:10]}, extra {sorted(got - expected)[:10]}"


@pytest.mark.parametrize("source_name", _customer_domain_sources())
def test_every_injected_defect_is_counted_in_the_quality_report(built_warehouse, source_name) -> None:
    """Each defect class of defects.json appears in rpt_data_quality_issues with the injected count."""
    injected = _defects(built_warehouse)["cumulative"][_truth_source(source_name)]
    counted = dict(
        _rows(
            built_warehouse,
            "select issue_code, sum(row_count) from marts.rpt_data_quality_issues"
            f" where source_name = '{source_name}' group by issue_code",
        )
    )
    missing = sorted(set(injected) - set(counted))
    assert not missing, f"defect classes not in the report: {missing}"
    wrong = {code: (count, counted[code]) for code, count in injected.items() if counted[code] != count}
    assert not wrong, f"injected vs counted: {wrong}"


def test_quality_marts_list_every_source_and_issue_class_of_the_rules(built_warehouse) -> None:
    """The seed drives the marts: every source of data_quality_rules has a row per load in rpt_data_quality, and
    each of its loads lists exactly the seed's issue classes (with their categories) in rpt_data_quality_issues."""
    rules = _data_quality_rules()
    classes = {
        (rule["source_name"], rule["issue_category"], rule["issue_code"]) for rule in rules if rule["issue_code"]
    }
    assert {rule["source_name"] for rule in rules} == {
        row[0] for row in _rows(built_warehouse, "select distinct source_name from marts.rpt_data_quality")
    }
    listed = _rows(
        built_warehouse,
        "select source_name, load_id, issue_category, issue_code from marts.rpt_data_quality_issues",
    )
    loads = {(source_name, load_id) for source_name, load_id, _, _ in listed}
    assert loads == set(_rows(built_warehouse, "select source_name, load_id from marts.rpt_data_quality"))
    for source_name, load_id in loads:
        got = {(row[0], row[2], row[3]) for row in listed if row[:2] == (source_name, load_id)}
        assert got == {c for c in classes if c[0] == source_name}, (source_name, load_id)


def test_quality_report_reconciles_every_source(built_warehouse) -> None:
    """Per source, rows in = clean + rejected + duplicates + stale versions, and the figures match defects.json."""
    expected = _defects(built_warehouse)["reconciliation"]
    report = {
        row[0]: row[1:]
        for row in _rows(
            built_warehouse,
            "select source_name, sum(rows_in), sum(clean_rows), sum(rejected_rows),"
            " sum(exact_duplicates_removed), sum(stale_versions_replaced), bool_and(is_reconciled)"
            " from marts.rpt_data_quality group by source_name",
        )
    }
    rejected = dict(
        _rows(
            built_warehouse,
            "select source_name || ':' || issue_code, sum(row_count) from marts.rpt_data_quality_issues"
            " where issue_category = 'rejected' group by 1",
        )
    )
    for source_name in _customer_domain_sources():
        rows_in, clean, rejected_rows, duplicates, stale, reconciled = report[source_name]
        want = expected[_truth_source(source_name)]
        assert reconciled, f"{source_name}: a load does not reconcile"
        assert rows_in == clean + rejected_rows + duplicates + stale
        assert rows_in == want["raw_rows"]
        assert clean == want["clean_rows"]
        assert duplicates == want["exact_duplicates"]
        assert stale == want.get("stale_versions", 0)
        assert rejected_rows == sum(want["rejected"].values())
        for reason, count in want["rejected"].items():
            assert rejected.get(f"{source_name}:{reason}") == count, reason
