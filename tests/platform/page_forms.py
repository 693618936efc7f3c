"""What a browser would submit from a page's forms (issue 14 point 1), for page tests through the
Django test client: the forms of an HTML page and the values each submits unchanged.

A browser sanitises the value of a typed input before it submits it: a date input holding a
localised ``05/06/2026`` submits an empty string (that is how the hire date got wiped). The
parser does the same, so a page that renders such a value fails the round-trip test.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

__all__ = ["PageFormData", "links_of", "post_forms_of"]

#: the value sanitisation algorithm of the HTML standard, per input type (the common ones)
VALID = {
    "date": re.compile(r"^\d{4}-\d{2}-\d{2}$"),
    "datetime-local": re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$"),
    "time": re.compile(r"^\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$"),
    "month": re.compile(r"^\d{4}-\d{2}$"),
    "week": re.compile(r"^\d{4}-W\d{2}$"),
    "number": re.compile(r"^-?(\d+(\.\d+)?|\.\d+)([eE][-+]?\d+)?$"),
    "range": re.compile(r"^-?(\d+(\.\d+)?|\.\d+)$"),
}
NOT_SUBMITTED = {"submit", "button", "reset", "image", "file"}


@dataclass
class PageFormData:
    """One ``<form method="post">``: its action and the (name, value) pairs it submits unchanged."""

    action: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    names: set[str] = field(default_factory=set)
    has_file: bool = False

    def data(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for name, value in self.fields:
            out.setdefault(name, []).append(value)
        return out


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[PageFormData] = []
        self.links: list[str] = []
        self._form: PageFormData | None = None
        self._select: tuple[str, list[tuple[str, bool]]] | None = None
        self._option: list | None = None
        self._textarea: list | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "form":
            post = a.get("method", "get").lower() == "post"
            self._form = PageFormData(action=a.get("action", "")) if post else None
            if self._form is not None:
                self.forms.append(self._form)
            return
        form = self._form
        if form is None or "disabled" in a:
            return
        if tag == "input":
            kind = a.get("type", "text").lower()
            name = a.get("name")
            if not name:
                return
            form.names.add(name)
            if kind == "file":
                form.has_file = True
            if kind in NOT_SUBMITTED:
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    form.fields.append((name, a.get("value", "on")))
                return
            value = a.get("value", "")
            if kind in VALID and value and not VALID[kind].match(value):
                value = ""  # what the browser does with a value it cannot show
            form.fields.append((name, value))
        elif tag == "select" and a.get("name"):
            self._select = (a["name"], [])
            form.names.add(a["name"])
            self._multiple = "multiple" in a
        elif tag == "option" and self._select is not None:
            self._option = [a.get("value"), "selected" in a, ""]
        elif tag == "textarea" and a.get("name"):
            form.names.add(a["name"])
            self._textarea = [a["name"], ""]

    def handle_data(self, data):
        if self._option is not None:
            self._option[2] += data
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "option" and self._option is not None and self._select is not None:
            value, selected, text = self._option
            self._select[1].append((text.strip() if value is None else value, selected))
            self._option = None
        elif tag == "select" and self._select is not None and self._form is not None:
            name, options = self._select
            chosen = [value for value, selected in options if selected]
            if not chosen and options and not self._multiple:
                chosen = [options[0][0]]  # a single select submits its first option
            self._form.fields.extend((name, value) for value in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            name, text = self._textarea
            # the parser keeps the newline after <textarea>; browsers drop it
            self._form.fields.append((name, text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "form":
            self._form = None


def _parse(html: str) -> _Parser:
    parser = _Parser()
    parser.feed(html)
    return parser


def post_forms_of(html: str) -> list[PageFormData]:
    return _parse(html).forms


def links_of(html: str) -> list[str]:
    return _parse(html).links
