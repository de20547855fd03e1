"""The warehouse's domains, and the ones a deployment has (WAREHOUSE_DOMAINS): the one list of them.

A domain is one source system's whole slice of the warehouse, and a deployment that lacks it has none of it:
- its ingest sources (`sources` below, declared in ingest/sources.py) and its part of `warehouse sample`;
- its dbt nodes: models/{staging,intermediate,marts}/<domain>/ with their sources, tests and exposures, its
  snapshots, seeds and analyses, all `+enabled:` on dbt var `<domain>_enabled` (dbt_project.yml; the union of the
  data-quality rows, int_row_issues_unioned, reads the same var). `dbt_vars` gives dbt the choice;
- its report page (`report.Page.domain`) and its summary lines (`summary.HEADLINES`).
The core (the CRM's customers and the shop's transactions) is required: the customer marts, the data-quality marts
and the report's first page are built on it.
"""

from __future__ import annotations

from dataclasses import dataclass

from warehouse.errors import WarehouseError

SETTING = "WAREHOUSE_DOMAINS"


@dataclass(frozen=True)
class Domain:
    """A domain: its name (in WAREHOUSE_DOMAINS and its dbt var), what it is, its ingest sources, whether required."""

    name: str
    description: str
    sources: tuple[str, ...]  # the names of its sources in ingest/sources.py (SOURCES)
    required: bool = False

    @property
    def dbt_var(self) -> str | None:
        """The dbt var that turns the domain's nodes on and off (dbt_project.yml); None for a required domain."""
        return None if self.required else f"{self.name}_enabled"


CORE = "core"
DOMAINS = (
    Domain(CORE, "CRM customers and shop transactions (the customer and data-quality marts)", ("crm", "shop"), True),
    Domain("tills", "the café chain's branch till files (schema tills)", ("tills",)),
    Domain("erp", "the tote-bag maker's ERP database (schema erp)", ("erp",)),
)
ALL_DOMAINS = tuple(domain.name for domain in DOMAINS)


def parse_domains(value: str | None) -> tuple[str, ...]:
    """The domains a comma-separated list names (None or blank: all), in DOMAINS order.

    Raise a WarehouseError naming the valid domains for an unknown name, and one for a list without a required one.
    """
    if value is None or not value.strip():
        return ALL_DOMAINS
    named = {name.strip().lower() for name in value.split(",") if name.strip()}
    valid = "; ".join(
        f"{domain.name}{' (required)' if domain.required else ''}: {domain.description}" for domain in DOMAINS
    )
    unknown = sorted(named - set(ALL_DOMAINS))
    if unknown:
        raise WarehouseError(
            f"{SETTING}={value!r} names unknown domain(s) {', '.join(unknown)}; the valid ones are "
            f"{', '.join(ALL_DOMAINS)}",
            hint=f"list the deployment's domains, comma-separated (unset: all). {valid}.",
        )
    missing = [domain.name for domain in DOMAINS if domain.required and domain.name not in named]
    if missing:
        raise WarehouseError(
            f"{SETTING}={value!r} leaves out {', '.join(missing)}, which every deployment has",
            hint=f"add it: {SETTING}={','.join(name for name in ALL_DOMAINS if name in named or name in missing)}. "
            f"{valid}.",
        )
    return tuple(name for name in ALL_DOMAINS if name in named)


def dbt_vars(domains: tuple[str, ...]) -> dict[str, bool]:
    """The dbt vars of the optional domains: `<domain>_enabled` true for each domain in `domains`, false otherwise."""
    return {domain.dbt_var: domain.name in domains for domain in DOMAINS if domain.dbt_var}


def enabled_sources(domains: tuple[str, ...]) -> tuple[str, ...]:
    """The names of the ingest sources of `domains`."""
    return tuple(source for domain in DOMAINS if domain.name in domains for source in domain.sources)


def domain_of_source(source: str) -> Domain:
    """The domain an ingest source belongs to."""
    return next(domain for domain in DOMAINS if source in domain.sources)
