"""What the desk's page tests share: a logged-in client per role and language, and the
visible text of a page."""

import html
import re

from django.test import Client


def desk_client(user, language="en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def visible_text(response) -> str:
    """The text a reader sees in the page's main part: no tags, scripts or attributes."""
    body = response.content.decode()
    main = body[body.find("<main") : body.find("</main>")] if "<main" in body else body
    main = re.sub(r"<(script|style)\b.*?</\1>", " ", main, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)))


# Internal names that must never show on a page (they may appear in URLs and form values).
CODES = [
    "pension",
    "medical",
    "unemployment",
    "work_injury",
    "awaiting_approval",
    "approved",
    "exported",
    "paid",
    "failed",
    "declared",
    "assessed",
    "live",
    "replaced",
    "bank",
    "agency_transfer",
    "counter",
    "collect",
    "citizen_id",
    "passport_no",
    "uscc",
    "None",
]


def english_codes(text: str) -> list[str]:
    return [code for code in CODES if re.search(rf"\b{code}\b", text)]


def no_latin_words(text: str, allowed=()) -> list[str]:
    """Latin words of two letters or more on a Chinese page (brand, units' own names and
    what ``allowed`` lists are fine)."""
    words = set(re.findall(r"[A-Za-z][A-Za-z_]+", text))
    return sorted(words - {"Shebao", "CSV", "XLSX", "UTF", "GBK", "Excel", *allowed})
