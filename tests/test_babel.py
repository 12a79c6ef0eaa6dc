"""The plugin's pages through Flask-Babel: its own catalogs, the host's left alone."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po
from flask import Flask, render_template_string
from flask_babel import Babel

import ankle_intake
from ankle_intake import i18n

from casebook import REPO

PACKAGE = Path(ankle_intake.__file__).parent
TEMPLATES = PACKAGE / "templates" / "ankle_intake"
CATALOGS = PACKAGE / "translations"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "lazy_gettext": None}

# -- no user-visible text outside _() ---------------------------------------------

_TEMPLATE_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
#: Attributes a person reads or hears; the others (class, id, href, ...) are code.
VISIBLE_ATTRIBUTES = {"aria-label", "title", "alt", "placeholder", "aria-roledescription"}
WORD = re.compile(r"[A-Za-z]{2}")
#: Attribute markup a macro writes outside a tag (`` aria-invalid="true"``): not text.
ATTRIBUTE_MARKUP = re.compile(r'^\s*([\w-]+="[^"]*"?\s*)+$|^\s*"')


class _Text(HTMLParser):
    """Text nodes and visible attribute values, with template tags already cut out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self.code = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.code += tag in ("script", "style")
        for name, value in attrs:
            if name in VISIBLE_ATTRIBUTES and value and WORD.search(value):
                self.found.append((self.getpos()[0], f"{name}={value!r}"))

    def handle_endtag(self, tag: str) -> None:
        self.code -= tag in ("script", "style") and self.code > 0

    def handle_data(self, data: str) -> None:
        if not self.code and WORD.search(data) and not ATTRIBUTE_MARKUP.match(data):
            self.found.append((self.getpos()[0], data.strip()))


def unwrapped(source: str) -> list[tuple[int, str]]:
    """(line, text) for every word a reader meets that no ``_()`` call produces."""
    parser = _Text()
    # Each template tag becomes a blank that keeps the line count: its words are code.
    parser.feed(_TEMPLATE_TAG.sub(lambda m: " " + "\n" * m.group(0).count("\n"), source))
    parser.close()
    return parser.found


def test_the_guard_finds_unwrapped_text() -> None:
    found = unwrapped('<p>{{ _("Fine") }}</p>\n<p title="Hover me">Not {{ x }} wrapped</p>'
                      '<script>let a = "code";</script>{% if x %} aria-invalid="true"{% endif %}')
    assert found == [(2, "title='Hover me'"), (2, "Not   wrapped")]


@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATES.glob("*.html")))
def test_no_template_shows_text_outside_gettext(template: str) -> None:
    assert unwrapped((TEMPLATES / template).read_text(encoding="utf-8")) == []


# -- the catalogs -------------------------------------------------------------------


def _extracted() -> set[str]:
    method_map = [("plugin/**.py", "python"), ("plugin/templates/**.html", "jinja2")]
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(REPO), method_map, keywords=KEYWORDS
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_the_template_catalog_holds_every_message() -> None:
    with (CATALOGS / "ankle_intake.pot").open("rb") as f:
        template = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    missing = _extracted() - template
    assert not missing, "run the pybabel extract/update/compile of README 'Translations'"


@pytest.mark.parametrize("po", sorted(CATALOGS.glob("*/LC_MESSAGES/ankle_intake.po")),
                         ids=lambda p: p.parts[-3])
def test_each_compiled_catalog_matches_its_po(po: Path) -> None:
    with po.open("rb") as f:
        source = read_po(f)
    with po.with_suffix(".mo").open("rb") as f:
        compiled = read_mo(f)
    wanted = {_key(m.id): _key(m.string) for m in source if m.id and m.string and not m.fuzzy}
    assert wanted, "a catalog with no translation"
    assert {_key(m.id): _key(m.string) for m in compiled if m.id} == wanted


def _key(value: Any) -> Any:
    """A plural's forms as a tuple: the .po reader gives tuples, the .mo reader lists."""
    return tuple(value) if isinstance(value, (list, tuple)) else value


# -- the plugin's domain, the host's own ---------------------------------------------


def _compile(root: Path, domain: str, locale: str, messages: dict[str, str]) -> None:
    catalog = Catalog(locale=locale, domain=domain)
    for msgid, msgstr in messages.items():
        catalog.add(msgid, msgstr)
    folder = root / locale / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / f"{domain}.po").open("wb") as f:
        write_po(f, catalog)
    with (folder / f"{domain}.mo").open("wb") as f:
        write_mo(f, catalog)


@pytest.fixture
def plugin_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The plugin's domain reading a catalog made here, so the test owns its words."""
    root = tmp_path / "plugin-translations"
    _compile(root, i18n.DOMAIN, "es", {"Worklist": "Lista de trabajo",
                                       "New intake": "Nueva valoración"})
    domain = i18n.flask_babel.Domain(translation_directories=[str(root)], domain=i18n.DOMAIN)
    monkeypatch.setattr(i18n, "domain", domain)
    yield


def test_the_plugin_pages_use_the_plugin_catalog(
    make_app: Callable[..., Flask], plugin_catalog: None
) -> None:
    app = make_app(BABEL_DEFAULT_LOCALE="es")
    assert "babel" in app.extensions
    page = app.test_client().get("/ankle/assessments").get_data(as_text=True)
    assert "Lista de trabajo" in page or "Nueva valoración" in page
    english = make_app().test_client().get("/ankle/assessments").get_data(as_text=True)
    assert "Lista de trabajo" not in english and "Nueva valoración" not in english


def test_without_a_host_babel_the_host_jinja_is_untouched(make_app: Callable[..., Flask]) -> None:
    app = make_app()
    assert "_" not in app.jinja_env.globals and "gettext" not in app.jinja_env.globals
    assert app.test_client().get("/ankle/intake").status_code == 200


def test_a_host_with_flask_babel_keeps_its_own(
    tmp_path: Path, make_app: Callable[..., Flask], plugin_catalog: None
) -> None:
    host_root = tmp_path / "host-translations"
    _compile(host_root, "messages", "es", {"Hello": "Hola", "Worklist": "Del anfitrión"})
    app = make_app(register=False, BABEL_DEFAULT_LOCALE="es",
                   BABEL_TRANSLATION_DIRECTORIES=str(host_root))
    babel = Babel(app)
    ankle_intake.AnkleIntake(app)
    assert app.extensions["babel"].instance is babel

    @app.route("/hello")
    def hello() -> Any:
        return render_template_string('{{ _("Hello") }} {{ _("Worklist") }}')

    client = app.test_client()
    assert client.get("/hello").get_data(as_text=True) == "Hola Del anfitrión"
    page = client.get("/ankle/assessments").get_data(as_text=True)
    assert "Lista de trabajo" in page and "Del anfitrión" not in page


def test_gettext_falls_back_to_the_host_catalog_and_escapes_values(
    tmp_path: Path, make_app: Callable[..., Flask], plugin_catalog: None
) -> None:
    host_root = tmp_path / "host-translations"
    _compile(host_root, "messages", "es", {"Home": "Inicio"})
    app = make_app(register=False, BABEL_DEFAULT_LOCALE="es",
                   BABEL_TRANSLATION_DIRECTORIES=str(host_root))
    Babel(app)
    ankle_intake.AnkleIntake(app)
    with app.test_request_context():
        assert i18n.gettext("Worklist") == "Lista de trabajo"
        assert i18n.gettext("Home") == "Inicio"
        assert i18n.gettext("Untranslated %(n)s", n=3) == "Untranslated 3"
        markup = i18n.template_callables()["_"]("Hi %(name)s", name="<b>")
        assert str(markup) == "Hi &lt;b&gt;"


def test_the_intake_form_offers_the_handout_language(make_app: Callable[..., Flask]) -> None:
    page = make_app().test_client().get("/ankle/intake").get_data(as_text=True)
    assert "Handout language" in page
    assert re.search(r'name="handout_language"[^>]*value="es"'
                     r'|value="es"[^>]*name="handout_language"', page)
    assert "Español" in page


def test_the_handout_route_prints_the_chosen_language(
    make_app: Callable[..., Flask], valid: dict[str, Any]
) -> None:
    from handout_helpers import flat, pdf_text

    client = make_app().test_client()
    spanish = client.post("/ankle/api/handout", json={**valid, "handout_language": "es"})
    assert spanish.status_code == 200
    assert "Su plan para el tobillo" in flat(pdf_text(spanish.data))
    english = client.post("/ankle/api/handout", json=valid)
    assert "Your ankle plan" in flat(pdf_text(english.data))
    refused = client.post("/ankle/api/handout", json={**valid, "handout_language": "fr"})
    assert refused.status_code == 422 and "handout_language" in refused.get_json()["errors"]


def test_the_shipped_spanish_catalog_renders_the_pages(
    make_app: Callable[..., Flask], valid: dict[str, Any]
) -> None:
    client = make_app(BABEL_DEFAULT_LOCALE="es").test_client()
    page = client.get("/ankle/intake").get_data(as_text=True)
    assert '<html lang="es">' in page and "Valoración del tobillo de un corredor" in page
    posted = client.post("/ankle/intake", data={"side": "left"})  # errors: the summary
    assert posted.status_code in (400, 422)
    assert "Corrija" in posted.get_data(as_text=True)
    listing = client.get("/ankle/assessments").get_data(as_text=True)
    assert "Lista de trabajo" in listing or "Nueva valoración" in listing
