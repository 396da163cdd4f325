"""Canonical forms of identifiers: emails, handles, phone numbers."""


def normalize_email(raw) -> str:
    """Lower-cased address with an IDNA (punycode) domain.

    Raises:
        ValueError: no ``@``, or an empty local part or domain.
    """
    text = str(raw).strip()
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain:
        raise ValueError(f'Cannot normalize email "{raw}": expected local@domain')
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError as error:
        raise ValueError(f'Cannot normalize email "{raw}": {error}') from None
    return f"{local.lower()}@{domain.lower()}"


def normalize_handle(raw) -> str:
    """NFKC-normalized, case-folded handle (``"Straße"`` → ``"strasse"``)."""
    import unicodedata

    return unicodedata.normalize("NFKC", str(raw).strip()).casefold()


def normalize_phone(raw, default_region=None) -> str:
    """E.164 form (``"+15551234567"``).

    Numbers with a leading ``+`` (or ``00``) keep their country code; others
    need ``default_region`` — only ``"US"``/``"CA"`` (NANP) are known.

    Raises:
        ValueError: too short/long, or no country code and no known region.
    """
    text = str(raw).strip()
    digits = "".join(ch for ch in text if ch.isdigit())
    if text.startswith("+"):
        number = digits
    elif digits.startswith("00"):
        number = digits[2:]
    elif (default_region or "").upper() in ("US", "CA"):
        if len(digits) == 10:
            number = "1" + digits
        elif len(digits) == 11 and digits.startswith("1"):
            number = digits
        else:
            raise ValueError(f'Cannot normalize phone "{raw}": not a NANP number')
    else:
        raise ValueError(f'Cannot normalize phone "{raw}": no country code and no default_region')
    if not 8 <= len(number) <= 15:
        raise ValueError(f'Cannot normalize phone "{raw}": E.164 numbers have 8 to 15 digits')
    return "+" + number
