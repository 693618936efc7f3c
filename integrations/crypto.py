"""Encryption at rest for secrets we must be able to read back (webhook signing secrets).

A signing secret cannot be hashed like a password: every delivery needs it to
sign. It is stored encrypted (Fernet: AES-128-CBC + HMAC-SHA256) with a key
derived from ``SECRET_KEY``; ``SECRET_KEY_FALLBACKS`` still decrypt, so the
Django key can be rotated the usual way (re-encrypt with :func:`reencrypt`).
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings

_PURPOSE = b"trackyoursheets.integrations.secrets.v1:"


def _fernet_for(key: str) -> Fernet:
    digest = hashlib.sha256(_PURPOSE + key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _keyring() -> MultiFernet:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet_for(k) for k in keys])


def encrypt(plaintext: str) -> str:
    return _keyring().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    return _keyring().decrypt(token.encode()).decode()


def reencrypt(token: str) -> str:
    """The same secret under the current ``SECRET_KEY`` (after a key rotation)."""
    return _keyring().rotate(token.encode()).decode()
