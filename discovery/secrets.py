"""The credentials of data sources, encrypted at rest (Fernet, from ``cryptography``).

``DISCOVERY_KEYS`` (environment) is a comma-separated list of Fernet keys: the first encrypts, every one decrypts. To
rotate: put a new key first (``Fernet.generate_key()`` makes one), keep the old ones after it, run ``manage.py
rotate_discovery_keys`` (every source's credentials encrypted again with the first key), then drop the old keys.
Without ``DISCOVERY_KEYS`` the key is derived from ``SECRET_KEY``, which then
cannot change without losing the sources' credentials: production should set keys of their own.

A source's URL, password included, is kept only as its token: it is decrypted in the worker that scans, never shown
back (pages and the API show ``Source.address``, its URL without user and password), never exported, never written to
the history.
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class UnreadableSecret(Exception):
    """The token was encrypted with a key that is no longer in ``DISCOVERY_KEYS``."""


def _keys() -> list[Fernet]:
    keys = [key.strip() for key in settings.DISCOVERY_KEYS if key.strip()]
    if not keys:
        derived = hashlib.sha256(f"registre-discovery:{settings.SECRET_KEY}".encode()).digest()
        keys = [base64.urlsafe_b64encode(derived).decode()]
    return [Fernet(key) for key in keys]


def encrypt(text: str) -> str:
    return MultiFernet(_keys()).encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return MultiFernet(_keys()).decrypt(token.encode()).decode()
    except InvalidToken:
        raise UnreadableSecret("The credentials were encrypted with a key no longer configured.") from None


def rotate(token: str) -> str:
    """The same secret under the first key."""
    try:
        return MultiFernet(_keys()).rotate(token.encode()).decode()
    except InvalidToken:
        raise UnreadableSecret("The credentials were encrypted with a key no longer configured.") from None
