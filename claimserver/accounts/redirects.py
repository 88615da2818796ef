"""Where to send someone after a form: only to a path on this server, never to another site."""
from __future__ import annotations

from urllib.parse import urlsplit


def is_local_url(target: str | None) -> bool:
    """A relative URL on this host: '/x?y'. Refuses schemes, hosts, '//evil', '\\\\evil', controls."""
    if not target or not isinstance(target, str) or len(target) > 2000:
        return False
    if any(ord(c) < 32 or ord(c) == 127 for c in target) or "\\" in target:
        return False  # browsers treat "\" as "/" and strip tabs/newlines: "/\evil.com" is a host
    if not target.startswith("/") or target.startswith("//"):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None, default: str) -> str:
    return target if is_local_url(target) else default
