"""Every page staff and the public reach by following links, in both languages, on the
demo agency: each opens, and a Chinese page shows no English word (an untranslated text
or a raw internal code such as ``lost_nationality`` or ``awaiting_approval``) apart from
names that are data (a foreign national's name, a user name) and a few proper names."""

import re
from collections import Counter
from html.parser import HTMLParser

import pytest
from django.test import Client

from shebao.accounts.models import User
from shebao.clearance.models import CasePayee, Material
from shebao.demo import agency as demo
from shebao.registry.models import Person, Unit

# Words a Chinese page may show: the product, file formats and the language switch.
PROPER_NAMES = {
    *("Shebao", "Apache", "License", "English", "API", "OpenAPI"),
    *("PDF", "CSV", "XLSX", "JPEG", "PNG", "SHA"),
}
# A page whose path has the same shape as one already seen (digits replaced) is opened at
# most this often: the demo has dozens of cases, each page of a kind is built the same way.
PER_SHAPE = 3
LIMIT = 400


class VisibleText(HTMLParser):
    """The text a person sees or hears: text nodes outside <script> and <style>, and the
    attributes read out (alt, title, aria-label, placeholder); and the page's links."""

    SPOKEN = ("alt", "title", "aria-label", "placeholder")

    def __init__(self):
        super().__init__()
        self.texts: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._hidden += 1
        values = dict(attrs)
        self.texts += [values[name] for name in self.SPOKEN if values.get(name)]
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.texts.append(data)


def data_words() -> set[str]:
    """Latin-script words that are data, not interface: names of persons, units, payees,
    users and uploaded files."""
    texts = [
        *Person.objects.values_list("name", flat=True),
        *Unit.objects.values_list("name", flat=True),
        *CasePayee.objects.values_list("name", flat=True),
        *CasePayee.objects.values_list("bank_name", flat=True),
        *User.objects.values_list("username", flat=True),
        *User.objects.values_list("first_name", flat=True),
        *User.objects.values_list("last_name", flat=True),
        *Material.objects.values_list("original_name", flat=True),
    ]
    return {word for text in texts for word in re.findall(r"[A-Za-z_]+", text or "")}


def shape(path: str) -> str:
    return re.sub(r"\d+", "N", path.split("?")[0])


def crawl(client: Client, start: str, prefixes: tuple[str, ...]) -> dict[str, str]:
    """Follow links from ``start`` within ``prefixes``; the HTML of every page reached."""
    pages: dict[str, str] = {}
    seen_shapes: Counter[str] = Counter()
    queue = [start]
    while queue and len(pages) < LIMIT:
        path = queue.pop(0)
        if path in pages or seen_shapes[shape(path)] >= PER_SHAPE:
            continue
        seen_shapes[shape(path)] += 1
        response = client.get(path)
        assert response.status_code == 200, f"{path}: {response.status_code}"
        if not response["Content-Type"].startswith("text/html"):
            pages[path] = ""
            continue
        html = response.content.decode()
        pages[path] = html
        parser = VisibleText()
        parser.feed(html)
        for link in parser.links:
            link = link.split("#")[0]
            if link.startswith(prefixes) and link not in pages:
                queue.append(link)
    return pages


def english_words(html: str, allowed: set[str]) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    # A token with a digit in it is a number of some kind (a payment reference, a
    # certificate number, a hash), not a word.
    tokens = " ".join(t for t in " ".join(parser.texts).split() if not re.search(r"\d", t))
    words = re.findall(r"[A-Za-z_]{3,}", tokens)
    return sorted({word for word in words if word not in allowed})


LOGINS = [
    ("clerk", "/desk/", ("/desk/",)),
    ("auditor", "/desk/", ("/desk/",)),
    ("finance", "/desk/", ("/desk/",)),
    ("supervisor", "/desk/", ("/desk/",)),
    ("admin", "/desk/", ("/desk/",)),
    ("zhangwei", "/me/", ("/me/",)),
    ("hr", "/unit/", ("/unit/",)),
]


@pytest.mark.django_db
def test_every_page_opens_in_both_languages_and_chinese_pages_show_no_english(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo.build()
    allowed = PROPER_NAMES | data_words()
    problems = {}
    opened = 0
    for username, start, prefixes in LOGINS:
        for language in ("zh-hans", "en"):
            client = Client(HTTP_ACCEPT_LANGUAGE=language)
            client.force_login(User.objects.get(username=username))
            pages = crawl(client, start, prefixes)
            opened += len(pages)
            if language != "zh-hans":
                continue
            for path, html in pages.items():
                if words := english_words(html, allowed):
                    problems[f"{username} {path}"] = words
    assert opened > 0
    assert not problems, "\n".join(f"{page}: {words}" for page, words in problems.items())
