"""Keyed hashes for personal data and stable row ids: the same value gives the same pseudonym, without the key no value.

A plain hash of a card number can be reversed by hashing every possible number; a keyed hash (BLAKE2b with a
secret key, RFC 7693's MAC mode) cannot without the key. Each use gets its own `purpose` (BLAKE2b's
personalisation), so an order id and a card pseudonym never share values even for the same input.

The key is a secret of the source: `pseudonym_key` under [sources.<name>] in .dlt/secrets.toml, or the env var
SOURCES__<NAME>__PSEUDONYM_KEY. Keep it stable: a new key gives every order a new id and every card a new pseudonym
(new and repeat card holders can only be told apart under one key). The embedded sample warehouse, which holds
only generated people, falls back on a fixed development key; an external warehouse refuses to load without one.
"""

from __future__ import annotations

import hashlib

import pyarrow as pa

from warehouse.database import Connection
from warehouse.errors import WarehouseError
from warehouse.settings import Settings

PSEUDONYM_KEY = "pseudonym_key"
# Only for generated sample data on the embedded server: the key is public, so these pseudonyms protect nothing.
DEVELOPMENT_KEY = b"embedded sample warehouse only"
DIGEST_BYTES = 16  # 128 bits: 32 hex characters, no collisions in any realistic number of rows


def pseudonym_key(source: str, connection: Connection, settings: Settings) -> bytes:
    """The source's secret key for keyed hashes; the development key on the embedded server when none is set."""
    from ingest.sources import source_setting

    configured = source_setting(source, PSEUDONYM_KEY, settings)
    if configured:
        return configured.encode()
    if connection.embedded:
        return DEVELOPMENT_KEY
    raise WarehouseError(
        f"no pseudonym key configured for source {source}",
        hint=f"set SOURCES__{source.upper()}__PSEUDONYM_KEY (or `{PSEUDONYM_KEY}` under [sources.{source}] in "
        f"{settings.dlt_settings_dir / 'secrets.toml'}) to a long random secret, and keep it: a new key gives "
        "every order a new id and every card a new pseudonym.",
    )


def keyed_hashes(values: pa.Array, key: bytes, purpose: bytes) -> pa.Array:
    """Each value's keyed BLAKE2b as 32 hex characters (NULL stays NULL), as an Arrow string array.

    The values' UTF-8 bytes are hashed as Arrow holds them (no Python text in between), and the keyed state is made
    once and copied for each value: a new keyed BLAKE2b compresses the key block first, so a copy gives the same
    hash for less work.
    """
    keyed = hashlib.blake2b(digest_size=DIGEST_BYTES, key=key, person=purpose)
    hashes: list[str | None] = []
    for value in values.cast(pa.binary()).to_pylist():
        if value is None:
            hashes.append(None)
            continue
        state = keyed.copy()
        state.update(value)
        hashes.append(state.hexdigest())
    return pa.array(hashes, pa.string())
