"""SDK modules some published skills import beyond the core surface.

``oauth.exchange`` works through ``client``. The rest (``credentials``,
``crypto``, ``agentos.macos.keychain``/``plist``) forward to engine ops of
the same name (``credentials.retrieve``, ``crypto.aes``, ``keychain.read``,
``plist.parse``); an engine that does not offer an op answers with an error,
raised as DispatchError. They exist so that importing them never fails: a
skill with one tool that needs them still has its other tools work.
"""

from agentos._broker import _dispatch
from agentos._client import client


class _OAuth:
    async def exchange(self, token_url, refresh_token, client_id, client_secret=None, scope=None):
        """Trade a refresh token for an access token (form POST to ``token_url``); returns the token JSON.

        Raises:
            RuntimeError: the provider answered with an OAuth error.
        """
        form = {"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": client_id}
        if client_secret:
            form["client_secret"] = client_secret
        if scope:
            form["scope"] = scope
        response = await client.post(token_url, data=form)
        token = response.get("json")
        if isinstance(token, dict) and "error" in token:
            reason = token.get("error_description", "no description")
            raise RuntimeError(f"OAuth token exchange at {token_url} failed: {token['error']}: {reason}")
        return token if isinstance(token, dict) else response

    def __repr__(self) -> str:
        return "agentos.oauth"


class _Credentials:
    async def retrieve(self, domain, *, account=None, required=None):
        """Login credentials for ``domain`` from whichever provider has them (``credentials.retrieve``)."""
        params = {"domain": domain, "account": account, "required": required or []}
        return await _dispatch("credentials.retrieve", params)

    def __repr__(self) -> str:
        return "agentos.credentials"


class _Crypto:
    """``await crypto.aes(key=..., data=...)`` etc.: ``crypto.<name>`` ops, hex results decoded to bytes."""

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)

        async def call(*args, **params):
            if args:
                raise TypeError(f"crypto.{name}() takes keyword arguments only")
            result = await _dispatch("crypto." + name, params)
            return bytes.fromhex(result) if isinstance(result, str) else result

        call.__name__ = name
        return call

    def __repr__(self) -> str:
        return "agentos.crypto"


class _Keychain:
    async def read(self, service, *, account=None, binary=False):
        """A macOS keychain entry (``keychain.read``); bytes when ``binary``."""
        result = await _dispatch("keychain.read", {"service": service, "account": account, "binary": binary})
        return bytes.fromhex(result) if binary and isinstance(result, str) else result

    def __repr__(self) -> str:
        return "agentos.macos.keychain"


class _Plist:
    async def parse(self, data=None, *, path=None):
        """A property list parsed by the engine (``plist.parse``)."""
        if isinstance(data, (bytes, bytearray)):
            data = bytes(data).hex()
        return await _dispatch("plist.parse", {"data": data, "path": path})

    def __repr__(self) -> str:
        return "agentos.macos.plist"


oauth = _OAuth()
credentials = _Credentials()
crypto = _Crypto()
keychain = _Keychain()
plist = _Plist()
