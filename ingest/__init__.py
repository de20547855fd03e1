"""Extract + Load with dlt: one module per source system (a CSV source is a declaration), the machinery they share."""

import os

from warehouse.settings import dlt_project_dir_setting

# dlt reads .dlt/config.toml from its project dir (default: the current directory); make that this project's
# (or DLT_PROJECT_DIR when set) so `warehouse ingest` behaves the same from any folder. Set before any dlt import
# resolves its context; source credentials are read from the same folder (ingest.sources.source_credentials).
os.environ.setdefault("DLT_PROJECT_DIR", str(dlt_project_dir_setting()))
