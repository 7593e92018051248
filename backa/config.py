"""Reading secrets and refusing a production configuration that fails open.

Imported by settings before Django is set up, so nothing here may import Django models.
Every refusal is an ImproperlyConfigured whose message names the variable to fix and never
repeats a secret's value.
"""

import os
import re
from pathlib import Path
from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured

# Values that are never a production secret: the demo's, Django's template and placeholders.
_KNOWN_WEAK_PREFIXES = ("demo-only-", "django-insecure", "bench-only-", "changeme", "change-me", "secret")


def env_secret(name: str) -> str:
    """NAME's value, or the content of the file NAME_FILE names (trailing newline removed).

    Both set is refused: it is not clear which one the operator meant.
    """
    direct = os.environ.get(name, "")
    path = os.environ.get(name + "_FILE", "")
    if direct and path:
        raise ImproperlyConfigured(f"{name} and {name}_FILE are both set; set only one")
    if not path:
        return direct
    try:
        return Path(path).read_text(encoding="utf-8").rstrip("\r\n")
    except OSError as exc:
        raise ImproperlyConfigured(f"{name}_FILE={path!r} cannot be read ({exc.strerror})") from None


def parse_key_ring(text: str) -> dict[str, str]:
    """ "id:hex,id:hex" into {id: hex}; an empty text is an empty ring."""
    ring: dict[str, str] = {}
    for part in filter(None, (item.strip() for item in (text or "").split(","))):
        key_id, sep, value = part.partition(":")
        if not sep or not key_id.strip() or not value.strip():
            raise ImproperlyConfigured("PNR_ENCRYPTION_OLD_KEYS must be a list of id:hex separated by commas")
        ring[key_id.strip()] = value.strip()
    return ring


def _is_hex_key(value: str, min_bytes: int) -> bool:
    return bool(re.fullmatch(r"[0-9a-fA-F]+", value)) and len(value) % 2 == 0 and len(value) >= 2 * min_bytes


def _weak(value: str, min_length: int) -> bool:
    lowered = value.lower()
    return len(value) < min_length or len(set(value)) < 8 or lowered.startswith(_KNOWN_WEAK_PREFIXES)


def production_config_errors(
    *,
    secret_key: str,
    pnr_encryption_key: str,
    pnr_encryption_key_id: str,
    pnr_old_keys: dict[str, str],
    pnr_hash_key: str,
    research_key: str,
    database_url: str,
) -> list[str]:
    """Every reason this production configuration must not start, each naming its variable."""
    errors = []
    if not secret_key:
        errors.append("SECRET_KEY (or SECRET_KEY_FILE) must be set in production")
    elif _weak(secret_key, 50):
        errors.append("SECRET_KEY is weak: at least 50 characters, 8 different ones, not a demo or template value")
    if not pnr_encryption_key:
        errors.append("PNR_ENCRYPTION_KEY (or PNR_ENCRYPTION_KEY_FILE) must be set in production")
    elif len(pnr_encryption_key) != 64 or not _is_hex_key(pnr_encryption_key, 32):
        errors.append("PNR_ENCRYPTION_KEY must be 64 hex digits (a 256-bit AES key)")
    if not re.fullmatch(r"[A-Za-z0-9._-]{1,16}", pnr_encryption_key_id):
        errors.append("PNR_ENCRYPTION_KEY_ID must be 1-16 letters, digits, '.', '_' or '-'")
    if pnr_encryption_key_id in pnr_old_keys:
        errors.append("PNR_ENCRYPTION_OLD_KEYS must not hold the current PNR_ENCRYPTION_KEY_ID")
    for key_id, value in pnr_old_keys.items():
        if len(value) != 64 or not _is_hex_key(value, 32):
            errors.append(f"PNR_ENCRYPTION_OLD_KEYS: key {key_id!r} must be 64 hex digits")
    if not pnr_hash_key:
        errors.append("PNR_HASH_KEY (or PNR_HASH_KEY_FILE) must be set in production")
    elif not _is_hex_key(pnr_hash_key, 32):
        errors.append("PNR_HASH_KEY must be at least 64 hex digits (a 256-bit HMAC key)")
    if not research_key:
        errors.append("RESEARCH_PSEUDONYM_KEY (or RESEARCH_PSEUDONYM_KEY_FILE) must be set in production")
    elif _weak(research_key, 32):
        errors.append("RESEARCH_PSEUDONYM_KEY is weak: at least 32 characters, 8 different ones")
    named = {
        "SECRET_KEY": secret_key,
        "PNR_ENCRYPTION_KEY": pnr_encryption_key,
        "PNR_HASH_KEY": pnr_hash_key,
        "RESEARCH_PSEUDONYM_KEY": research_key,
    }
    seen: dict[str, str] = {}
    for name, value in named.items():
        if not value:
            continue
        if value.lower() in seen:
            errors.append(f"{name} is the same as {seen[value.lower()]}: every key must be separate")
        seen.setdefault(value.lower(), name)
    if not database_url:
        errors.append("DATABASE_URL must be set in production (PostgreSQL; there is no SQLite fallback)")
    elif urlparse(database_url).scheme not in ("postgres", "postgresql"):
        errors.append("DATABASE_URL must be a postgresql:// URL in production")
    return errors


def refuse_weak_production_config(**values) -> None:
    errors = production_config_errors(**values)
    if errors:
        raise ImproperlyConfigured("production configuration refused: " + "; ".join(errors))
