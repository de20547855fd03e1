"""The dbt docs site: `dbt docs generate --static` (one self-contained HTML page) and a local server for it."""

from __future__ import annotations

import functools
import http.server
from pathlib import Path

from warehouse.database import Connection
from warehouse.dbt_runner import run_dbt, target_dir
from warehouse.errors import WarehouseError
from warehouse.settings import Settings

STATIC_PAGE = "static_index.html"


def generate_docs(connection: Connection, settings: Settings) -> Path:
    """Run `dbt docs generate --static` against the warehouse; return the path of target/static_index.html."""
    run_dbt(["docs", "generate", "--static"], connection, settings)
    page = target_dir(settings) / STATIC_PAGE
    if not page.exists():
        raise WarehouseError(
            f"`dbt docs generate --static` did not write {page}",
            hint="check DBT_TARGET_PATH and the dbt output above, then run `warehouse docs` again.",
        )
    return page


class _DocsHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the docs folder; `/` answers with the docs page (the server's `page`)."""

    def do_GET(self) -> None:
        if self.path.split("?")[0] == "/":
            self.path = f"/{self.server.page}"
        super().do_GET()

    def log_message(self, format: str, *args) -> None:
        pass


def docs_server(path: Path, host: str = "127.0.0.1", port: int = 8080) -> tuple[http.server.HTTPServer, str]:
    """An HTTP server (not started) for the folder of `path`, and the URL of the page; port 0 = any free port."""
    path = Path(path)
    folder, page = (path, STATIC_PAGE) if path.is_dir() else (path.parent, path.name)
    if not (folder / page).exists():
        raise WarehouseError(f"no docs page at {folder / page}", hint="run `warehouse docs` first to generate it.")
    handler = functools.partial(_DocsHandler, directory=str(folder))
    try:
        server = http.server.ThreadingHTTPServer((host, port), handler)
    except OSError as error:
        raise WarehouseError(
            f"cannot serve the docs on {host}:{port}: {error.strerror}",
            hint="choose another port with --port.",
        ) from error
    server.page = page
    return server, f"http://{host}:{server.server_address[1]}/{page}"


def serve_docs(path: Path, host: str = "127.0.0.1", port: int = 8080) -> None:
    """Serve the docs page (or its folder) over HTTP until Ctrl-C; prints the URL to open."""
    server, url = docs_server(path, host, port)
    print(f"dbt docs at {url} (Ctrl-C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("docs server stopped", flush=True)
    finally:
        server.server_close()
