"""``from agentos.macos import keychain, plist`` — forwarded to engine ops (see ``agentos._compat``)."""

from agentos._compat import keychain, plist

__all__ = ["keychain", "plist"]
