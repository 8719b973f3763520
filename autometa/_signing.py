"""Files autometa writes and later unpickles are signed, so that it never unpickles one it did not write.

Unpickling runs code named in the file. A fitted model (``model.save``) and a cached
meta-learner are pickles, so each carries an HMAC-SHA256 of its bytes under a key
private to the user: ``$AUTOMETA_HOME/.cache-key`` (created on first use, mode 0600).
A file written by another account or machine, or changed since, fails the check and
is not unpickled unless the caller says it trusts it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets

from autometa._paths import autometa_home

__all__ = ["sign", "verify"]


def _key() -> bytes:
    """The user's signing key, created on first use (mode 0600; the first of racing writers wins)."""
    file = autometa_home() / ".cache-key"
    try:
        return bytes.fromhex(file.read_text().strip())
    except (OSError, ValueError):
        pass
    file.parent.mkdir(parents=True, exist_ok=True)
    tmp = file.with_name(f".cache-key.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_hex(32))
    try:
        os.link(tmp, file)
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    return bytes.fromhex(file.read_text().strip())


def sign(data: bytes) -> str:
    """The hex HMAC-SHA256 of ``data`` under the user's key."""
    return hmac.new(_key(), data, hashlib.sha256).hexdigest()


def verify(data: bytes, signature: str) -> bool:
    """Whether ``signature`` is this user's signature of ``data``."""
    try:
        return hmac.compare_digest(signature.strip(), sign(data))
    except OSError:
        return False
