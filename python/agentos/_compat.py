"""SDK modules some published skills import beyond the core surface.

``oauth.exchange`` works through ``client``. The rest (``credentials``,
``crypto``, ``agentos.macos.keychain``) forward to engine ops of
the same name (``credentials.retrieve``, ``crypto.aes``, ``keychain.read``);
an engine that does not offer an op answers with an error, raised as
DispatchError. ``plist.parse`` runs here, in the sandbox (``plistlib``). They exist so that importing them never fails: a
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
    """``await crypto.pbkdf2(password, salt, iterations=…)`` etc.: ``crypto.<name>`` ops the engine
    performs (a key may be a credential placeholder), hex results decoded to bytes."""

    # Positional parameters of each op, as the reference SDK names them.
    _POSITIONAL = {
        "aes": ("key", "data"),
        "aes_gcm": ("key", "data", "iv"),
        "hkdf": ("key",),
        "pbkdf2": ("password", "salt"),
        "pbkdf2_sha256": ("password", "salt", "iterations"),
    }

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        names = self._POSITIONAL.get(name, ())

        async def call(*args, **params):
            if len(args) > len(names):
                raise TypeError(f"crypto.{name}() takes at most {len(names)} positional arguments")
            params.update(zip(names, args))
            for key, value in params.items():
                if isinstance(value, (bytes, bytearray)):  # keys and data travel as hex
                    params[key] = bytes(value).hex()
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
    async def parse(self, hex_data=None, extract=None, *, data=None, path=None):
        """A property list (binary or XML) parsed here in the sandbox with ``plistlib``.

        ``hex_data`` (hex text) or ``data`` (bytes or hex) or ``path`` (a file the skill can read)
        gives the plist. With ``extract={field: index}`` (an NSKeyedArchiver archive) the answer is
        ``{field: value}`` of those entries of ``$objects``, references followed; without it, the
        whole plist.
        """
        import plistlib

        raw = hex_data if hex_data is not None else data
        if raw is None and path is not None:
            with open(path, "rb") as handle:
                raw = handle.read()
        if isinstance(raw, str):
            raw = bytes.fromhex(raw)
        if not isinstance(raw, (bytes, bytearray)):
            raise TypeError("plist.parse() needs hex_data, data or path")
        try:
            value = plistlib.loads(bytes(raw))
        except Exception as error:  # plistlib raises several kinds for one cause
            raise ValueError(f"plist.parse(): not a property list ({error})") from None
        if not extract:
            return value
        objects = value.get("$objects") if isinstance(value, dict) else None
        if not isinstance(objects, list):
            raise ValueError("plist.parse(): extract= needs an NSKeyedArchiver archive (no $objects)")

        def resolve(item, depth=0):
            while isinstance(item, plistlib.UID) and depth < 32:
                item = objects[item.data] if item.data < len(objects) else None
                depth += 1
            return item

        out = {}
        for field, index in extract.items():
            out[field] = resolve(objects[index]) if isinstance(index, int) and 0 <= index < len(objects) else None
        return out

    def __repr__(self) -> str:
        return "agentos.macos.plist"


oauth = _OAuth()
credentials = _Credentials()
crypto = _Crypto()
keychain = _Keychain()
plist = _Plist()
