"""Extract + Load with dlt: one module per source system, plus the runner shared by all of them."""

import os
from pathlib import Path

# dlt reads .dlt/config.toml from its project dir (default: the current directory); make that this repo
# so `warehouse ingest` behaves the same from any folder. Set before any dlt import resolves its context.
os.environ.setdefault("DLT_PROJECT_DIR", str(Path(__file__).resolve().parent.parent))
