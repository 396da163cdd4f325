"""Standard capability names, for ``@provides(...)``.

Each constant is the string of its own name, so ``@provides(web_search)`` and
``@provides("web_search")`` mean the same. ``llm`` is also an LLM client
(``await llm.oneshot(prompt=...)``).
"""

from agentos._llm import LlmCapability

web_search = "web_search"
web_read = "web_read"
email_lookup = "email_lookup"
flight_search = "flight_search"
geocoding = "geocoding"
map_tiles = "map_tiles"
file_list = "file_list"
file_read = "file_read"
file_info = "file_info"
llm = LlmCapability("llm")
cookie_auth = "cookie_auth"
oauth_auth = "oauth_auth"
cdp_access = "cdp_access"
browser_session = "browser_session"
login_credentials = "login_credentials"
password = "password"
api_key = "api_key"
signs_for = "signs_for"

CAPABILITIES = (
    "web_search", "web_read", "email_lookup", "flight_search", "geocoding", "map_tiles",
    "file_list", "file_read", "file_info", "llm", "cookie_auth", "oauth_auth", "cdp_access",
    "browser_session", "login_credentials", "password", "api_key", "signs_for",
)
"""Every standard capability name."""

__all__ = list(CAPABILITIES)
