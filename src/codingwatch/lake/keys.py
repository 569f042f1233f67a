"""Pseudonymous keys and encrypted source ids for the lake.

Source identifiers (encounter ids, patient control numbers) are keyed with HMAC-SHA256 at
ingest, so the lake joins on a key that reveals nothing without the secret. An auditor must
still find the chart in the EHR, so the source id is also kept encrypted (AES-256-GCM, key
derived from the same secret) and decrypted only for roles that review charts.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from codingwatch import config


@lru_cache(maxsize=4)
def _keys(secret: str) -> tuple[bytes, bytes]:
    root = hashlib.sha256(secret.encode()).digest()
    mac_key = hmac.new(root, b"codingwatch-hmac-v1", hashlib.sha256).digest()
    enc_key = hmac.new(root, b"codingwatch-aesgcm-v1", hashlib.sha256).digest()
    return mac_key, enc_key


def source_key(source_id: str, *, secret: str | None = None) -> str:
    """The lake key of a source identifier: 32 hex characters of HMAC-SHA256."""
    mac_key, _ = _keys(secret or config.secret_key())
    return hmac.new(mac_key, source_id.encode(), hashlib.sha256).hexdigest()[:32]


def source_keys(source_ids: list[str], *, secret: str | None = None) -> list[str]:
    mac_key, _ = _keys(secret or config.secret_key())
    new = hmac.new
    sha = hashlib.sha256
    return [new(mac_key, s.encode(), sha).hexdigest()[:32] for s in source_ids]


def encrypt_source_ids(source_ids: list[str], *, secret: str | None = None) -> list[str]:
    _, enc_key = _keys(secret or config.secret_key())
    aead = AESGCM(enc_key)
    out = []
    for source_id in source_ids:
        nonce = os.urandom(12)
        out.append(base64.urlsafe_b64encode(nonce + aead.encrypt(nonce, source_id.encode(), None)).decode())
    return out


def decrypt_source_id(token: str, *, secret: str | None = None) -> str:
    _, enc_key = _keys(secret or config.secret_key())
    raw = base64.urlsafe_b64decode(token.encode())
    return AESGCM(enc_key).decrypt(raw[:12], raw[12:], None).decode()
