"""The analyst role: reads the marts, and nothing else - no raw or staging rows (they hold names), no writes."""

from __future__ import annotations

import psycopg2
import pytest
from conftest import BuiltWarehouse

from warehouse.database import ANALYST_DEMO_LOGIN


def as_analyst(built: BuiltWarehouse, statement: str) -> list[tuple]:
    with psycopg2.connect(built.connection.libpq_dsn(), user=ANALYST_DEMO_LOGIN) as conn, conn.cursor() as cursor:
        cursor.execute(statement)
        return cursor.fetchall() if cursor.description else []


@pytest.mark.parametrize(
    "mart",
    [
        "marts.dim_customers",
        "marts.fct_transactions",
        "marts.rpt_high_value_customers",
        "marts.rpt_data_quality",
        "tills.orders",
        "tills.order_items",
        "tills.rpt_tills_branch_ranking",
        "tills.rpt_tills_card_holders",
        "erp.fact_sales_order",
        "erp.fact_payment_current",
        "erp.dim_counterparty",
        "erp.dim_date",
    ],
)
def test_the_analyst_reads_every_mart(built_warehouse: BuiltWarehouse, mart: str) -> None:
    assert as_analyst(built_warehouse, f"select count(*) from {mart}")[0][0] > 0


@pytest.mark.parametrize(
    "relation",
    [
        "raw.customers",
        "raw.transactions",
        "staging.stg_crm__customers",
        "intermediate.int_customers_classified",
        "raw.tills",
        "intermediate.int_tills_orders_classified",
        "raw.erp_staff",
        "staging.stg_erp__counterparties",
        "snapshots.dim_staff_history",
    ],
)
def test_the_analyst_cannot_read_raw_or_staging(built_warehouse: BuiltWarehouse, relation: str) -> None:
    with pytest.raises(psycopg2.errors.InsufficientPrivilege):
        as_analyst(built_warehouse, f"select count(*) from {relation}")


@pytest.mark.parametrize(
    "statement",
    [
        "delete from marts.dim_customers",
        "update marts.fct_transactions set amount = 0",
        "insert into marts.rpt_high_value_customers (customer_id) values ('X')",
        "create table marts.scratch (id int)",
        "drop table marts.dim_customers",
    ],
)
def test_the_analyst_cannot_write(built_warehouse: BuiltWarehouse, statement: str) -> None:
    with pytest.raises(psycopg2.errors.InsufficientPrivilege):
        as_analyst(built_warehouse, statement)


def test_the_analyst_reads_the_staff_dimension_without_names_or_email(built_warehouse: BuiltWarehouse) -> None:
    """erp.dim_staff keeps the star's columns, but staff names and e-mail addresses are personal data."""
    departments = as_analyst(built_warehouse, "select staff_id, department_name, location from erp.dim_staff")
    assert len(departments) == 20
    for column in ("first_name", "last_name", "email_address", "*"):
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            as_analyst(built_warehouse, f"select {column} from erp.dim_staff")
