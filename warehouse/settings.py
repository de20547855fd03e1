"""Where things live: every path and connection setting, read from the environment once."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from warehouse.domains import ALL_DOMAINS, parse_domains
from warehouse.domains import SETTING as DOMAINS_SETTING

PROJECT_DIR = Path(__file__).resolve().parent.parent

WAREHOUSE_DBNAME = "warehouse"
SOURCE_DBNAME = "shop"
ERP_DBNAME = "erp"  # the sample ERP ("totesys") on the embedded server
ERP_READER = "erp_reader"  # the login the ERP loader reads the embedded `erp` with: SELECT only


@dataclass(frozen=True)
class Settings:
    """Paths of the state folder, landing folder, sample ground truth and dlt settings, and the deployment's
    domains, from env vars or defaults."""

    project_dir: Path
    state_dir: Path
    landing_dir: Path
    truth_dir: Path
    dlt_project_dir: Path
    # The domains this deployment has (warehouse/domains.py), in their order; the others are off everywhere.
    domains: tuple[str, ...] = ALL_DOMAINS

    @property
    def dlt_settings_dir(self) -> Path:
        """The `.dlt` folder dlt reads config.toml and secrets.toml from (not the current directory)."""
        return self.dlt_project_dir / ".dlt"

    @property
    def customers_landing_dir(self) -> Path:
        """The CRM exports' folder, as declared in ingest/crm_customers.py (a test keeps the two the same)."""
        return self.landing_dir / "customers"

    @property
    def tills_landing_dir(self) -> Path:
        """Where the café branches' till files land (nothing loads them yet)."""
        return self.landing_dir / "tills"

    @property
    def pgdata_dir(self) -> Path:
        return self.state_dir / "pgdata"

    @property
    def dlt_dir(self) -> Path:
        return self.state_dir / "dlt"

    @property
    def dbt_profiles_dir(self) -> Path:
        return self.state_dir / "dbt"

    @property
    def report_path(self) -> Path:
        configured = os.environ.get("WAREHOUSE_REPORT_PATH")
        return Path(configured) if configured else self.project_dir / "reports" / "warehouse_report.html"


def _path_from_env(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser().resolve() if value else default


def project_dir_setting() -> Path:
    """The project folder: WAREHOUSE_PROJECT_DIR, else this checkout."""
    return Path(os.environ.get("WAREHOUSE_PROJECT_DIR", PROJECT_DIR)).resolve()


def dlt_project_dir_setting() -> Path:
    """dlt's own variable DLT_PROJECT_DIR: the folder holding `.dlt/` (dlt's default is the current directory)."""
    return _path_from_env("DLT_PROJECT_DIR", project_dir_setting())


def load_settings() -> Settings:
    """Read WAREHOUSE_STATE_DIR, WAREHOUSE_LANDING_DIR, WAREHOUSE_TRUTH_DIR, DLT_PROJECT_DIR and WAREHOUSE_DOMAINS
    (all optional); an unknown domain is a WarehouseError naming the valid ones."""
    project_dir = project_dir_setting()
    data_dir = project_dir / "data"
    return Settings(
        project_dir=project_dir,
        state_dir=_path_from_env("WAREHOUSE_STATE_DIR", project_dir / ".warehouse"),
        landing_dir=_path_from_env("WAREHOUSE_LANDING_DIR", data_dir / "landing"),
        truth_dir=_path_from_env("WAREHOUSE_TRUTH_DIR", data_dir / "truth"),
        dlt_project_dir=dlt_project_dir_setting(),
        domains=parse_domains(os.environ.get(DOMAINS_SETTING)),
    )
