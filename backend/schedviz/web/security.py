"""Who may talk to the server: loopback hosts only, unless the operator lists more.

Checking the Host header stops DNS rebinding (a page on another site whose name resolves to
127.0.0.1); checking a websocket's Origin stops any other site's page from driving the lab.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")


def allowed_hosts() -> list[str]:
    """Loopback names plus those in SCHEDVIZ_ALLOWED_HOSTS (comma-separated)."""
    extra = [h.strip() for h in os.environ.get("SCHEDVIZ_ALLOWED_HOSTS", "").split(",")]
    return [*LOOPBACK_HOSTS, *(h for h in extra if h)]


def origin_allowed(origin: str | None, hosts: list[str]) -> bool:
    """A websocket Origin is allowed when absent (not a browser) or on an allowed host."""
    if origin is None:
        return True
    try:
        hostname = urlsplit(origin).hostname
    except ValueError:
        return False
    if hostname is None:
        return False
    return hostname in hosts or f"[{hostname}]" in hosts
