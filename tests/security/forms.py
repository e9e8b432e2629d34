"""Read a rendered HTML form the way a browser would, to post it back with hostile values.

The hostile-input tests start from what the page itself renders (field names, current values,
select options, formset management fields), so they follow the forms as they change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Field:
    name: str
    tag: str  # input / select / textarea
    type: str = "text"
    value: str = ""
    options: list[str] = field(default_factory=list)
    checked: bool = False
    multiple: bool = False


@dataclass
class Form:
    action: str
    method: str
    fields: list[Field] = field(default_factory=list)

    def baseline(self) -> dict[str, str | list[str]]:
        """What pressing submit on the untouched form would post."""
        data: dict[str, str | list[str]] = {}
        for f in self.fields:
            if f.type in ("submit", "button", "image", "reset", "file"):
                continue
            if f.type in ("checkbox", "radio"):
                if f.checked:
                    if f.type == "checkbox" and f.name in data:
                        prev = data[f.name]
                        data[f.name] = [*(prev if isinstance(prev, list) else [prev]), f.value or "on"]
                    else:
                        data[f.name] = f.value or "on"
                continue
            if f.tag == "select":
                data[f.name] = f.value if f.value else (f.options[0] if f.options else "")
                continue
            data[f.name] = f.value
        return data

    def names(self, *, kinds: tuple[str, ...] = ()) -> list[str]:
        out = []
        for f in self.fields:
            if f.type in ("submit", "button", "image", "reset") or f.name == "csrfmiddlewaretoken":
                continue
            if kinds and f.type not in kinds and f.tag not in kinds:
                continue
            if f.name not in out:
                out.append(f.name)
        return out


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._option_value: str | None = None
        self._option_selected = False
        self._textarea: Field | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self._form = Form(action=a.get("action", ""), method=a.get("method", "get").lower())
            self.forms.append(self._form)
        if self._form is None or "disabled" in a:
            return
        if tag == "input" and a.get("name"):
            self._form.fields.append(
                Field(
                    name=a["name"],
                    tag="input",
                    type=a.get("type", "text").lower(),
                    value=a.get("value", ""),
                    checked="checked" in a,
                )
            )
        elif tag == "select" and a.get("name"):
            self._select = Field(name=a["name"], tag="select", type="select", multiple="multiple" in a)
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._option_value = a.get("value")
            self._option_selected = "selected" in a
            if self._option_value is not None:
                self._option_chosen(self._option_value)
        elif tag == "textarea" and a.get("name"):
            self._textarea = Field(name=a["name"], tag="textarea", type="textarea")
            self._form.fields.append(self._textarea)

    def _option_chosen(self, value: str) -> None:
        assert self._select is not None
        self._select.options.append(value)
        if self._option_selected:
            self._select.value = value

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data
        elif self._select is not None and self._option_value is None and data.strip():
            # <option>text</option> without a value attribute posts its text.
            self._option_value = data.strip()
            self._option_chosen(self._option_value)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "option":
            self._option_value = None
        elif tag == "textarea":
            self._textarea = None


def forms_parse(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


def main_form(html: str, *, action: str) -> Form:
    """The page's POST form for ``action`` (empty action = the page itself), the one with most fields."""
    candidates = [f for f in forms_parse(html) if f.method == "post" and f.action in ("", action)]
    if not candidates:
        raise AssertionError(f"no POST form for {action!r} on the page")
    return max(candidates, key=lambda f: len(f.fields))
