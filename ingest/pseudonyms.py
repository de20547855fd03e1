"""Keyed hashes for personal data and stable row ids: the same value gives the same pseudonym, without the key no value.

A plain hash of a card number can be reversed by hashing every possible number; a keyed hash (BLAKE2b with a
secret key, RFC 7693's MAC mode) cannot without the key. Each use gets its own `purpose` (BLAKE2b's
personalisation), so an order id and a card pseudonym never share values even for the same input.

The key is a secret of the source: `pseudonym_key` under [sources.<name>] in .dlt/secrets.toml, or the env var
SOURCES__<NAME>__PSEUDONYM_KEY, any length (BLAKE2b's 64-byte key is derived from it). Keep it stable: a new key
gives every order a new id and every card a new pseudonym. Without one, the embedded server uses a random key it
keeps in its state folder, beside the database whose ids it made (they are lost together); an external warehouse
refuses to load without one, since ids must be the same from any machine that loads it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets

import pyarrow as pa

from warehouse.database import Connection
from warehouse.errors import WarehouseError
from warehouse.settings import Settings

PSEUDONYM_KEY = "pseudonym_key"
DIGEST_BYTES = 16  # 128 bits: 32 hex characters, no collisions in any realistic number of rows


def derived_key(secret: str) -> bytes:
    """BLAKE2b's key (at most 64 bytes) from a secret of any length."""
    return hashlib.blake2b(secret.encode(), digest_size=64, person=b"pseudonym key").digest()


def pseudonym_key(source: str, connection: Connection, settings: Settings) -> bytes:
    """The source's key for keyed hashes: configured, else (embedded server) the state folder's own random key."""
    from ingest.sources import source_setting

    configured = source_setting(source, PSEUDONYM_KEY, settings)
    if configured:
        return derived_key(configured)
    if connection.embedded:
        return derived_key(_state_folder_secret(settings, source))
    raise WarehouseError(
        f"no pseudonym key configured for source {source}",
        hint=f"set SOURCES__{source.upper()}__PSEUDONYM_KEY (or `{PSEUDONYM_KEY}` under [sources.{source}] in "
        f"{settings.dlt_settings_dir / 'secrets.toml'}) to a long random secret, and keep it: a new key gives "
        "every order a new id and every card a new pseudonym.",
    )


def _state_folder_secret(settings: Settings, source: str) -> str:
    """A random secret made once per state folder and source (readable by its owner only)."""
    path = settings.state_dir / f"{source}.{PSEUDONYM_KEY}"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_hex(32))
        # A hard link appears whole or not at all: of two loads starting at once, both keep the first one's key.
        with contextlib.suppress(FileExistsError):
            os.link(draft, path)
        draft.unlink()
    return path.read_text().strip()


def keyed_hashes(values: pa.Array, key: bytes, purpose: bytes) -> pa.Array:
    """Each value's keyed BLAKE2b as 32 hex characters (NULL stays NULL), as an Arrow string array.

    The values' UTF-8 bytes are hashed as Arrow holds them (no Python text in between), and the keyed state is made
    once and copied for each value: a new keyed BLAKE2b compresses the key block first, so a copy gives the same
    hash for less work.
    """
    if not key:
        raise ValueError("a keyed hash needs a key")  # an empty key would make it a plain, reversible hash
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
