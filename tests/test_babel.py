"""The plugin's pages through Flask-Babel: its own catalogs, the host's left alone."""

from __future__ import annotations

import ast
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
from ankle_intake.forms import intake_form, vocabulary
from ankle_intake.forms.followup import LAST_WEEK_LABELS

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
    method_map = [("plugin/**.py", "python"), ("forms/**.py", "python"),
                  ("plugin/templates/**.html", "jinja2")]
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


def _catalog_ids(path: Path) -> set[str]:
    with path.open("rb") as f:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f)
                if m.id and (path.suffix == ".pot" or (m.string and not m.fuzzy))}


#: Languages offered by their own names ("English", "Español"): not for translation.
ENDONYMS = {"English", "Español"}


def vocabulary_texts() -> set[str]:
    """Every label, help text and choice label the intake form and review page draw."""
    texts = {label for _key, label in vocabulary.GROUPS}
    for spec in vocabulary.FIELDS:
        texts |= {spec.label, spec.help, *(c.label for c in spec.choices)}
    for finding in vocabulary.OTTAWA_FINDINGS:
        texts |= {finding.label, finding.meaning}
    for test in vocabulary.SPECIAL_TESTS:
        texts |= {test.label, test.meaning}
    texts |= {c.label for c in vocabulary.TEST_RESULTS} | set(LAST_WEEK_LABELS.values())
    texts |= {label for _value, label in intake_form.FINDING_CHOICES}
    texts |= {intake_form.NOT_RECORDED[1], "Choose", "Could not run"}
    return texts - {""} - ENDONYMS


def test_the_vocabulary_is_in_the_catalogs() -> None:
    """Marked with N_ in forms/ and extracted: the .pot has them, the Spanish translates them."""
    texts = vocabulary_texts()
    assert len(texts) > 150
    assert not texts - _catalog_ids(CATALOGS / "ankle_intake.pot"), "mark it with N_, extract"
    for po in CATALOGS.glob("*/LC_MESSAGES/ankle_intake.po"):
        assert not texts - _catalog_ids(po), f"{po.parts[-3]} lacks a vocabulary translation"


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
    assert "Zonas del dolor" in page and "Parte interna del tobillo" in page  # the vocabulary
    posted = client.post("/ankle/intake", data={"side": "left"})  # errors: the summary
    assert posted.status_code in (400, 422)
    assert "Corrija" in posted.get_data(as_text=True)
    listing = client.get("/ankle/assessments").get_data(as_text=True)
    assert "Lista de trabajo" in listing or "Nueva valoración" in listing


# -- no user-visible Python message outside gettext ----------------------------------

#: The Python behind the pages. Their JSON and OpenAPI words stay English (not here).
PAGE_MODULES = sorted((PACKAGE / "web").glob("*.py")) + [PACKAGE / "blueprint.py"]
#: Two words or more, or one capitalised word ("Draft", "Signed."): words a person reads.
PROSE = re.compile(r"[A-Za-z]{2,}[,:;]?\s+[A-Za-z]{2,}|^[A-Z][a-z]+[.!]?$")
#: Calls whose string arguments are in the catalog, or never shown on a page (logs).
MARKED = {"gettext", "ngettext", "lazy_gettext", "N_", "_"}
NOT_SHOWN_CALLS = {"log_refused"}
NOT_SHOWN_OWNERS = {"log", "logging"}
#: Functions whose strings are the OpenAPI document's (English, as the JSON API).
NOT_SHOWN_FUNCTIONS = {"add_handout_paths"}


def unmarked_strings(source: str) -> list[tuple[int, str]]:
    """(line, text) of each prose string literal that no gettext call or marker holds.

    Docstrings, log lines and the OpenAPI document's texts are not page text.
    """
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    docstrings = {node.body[0].value for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef,
                                       ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr)}
    found = []
    for node in ast.walk(tree):
        if (not isinstance(node, ast.Constant) or not isinstance(node.value, str)
                or node in docstrings or not PROSE.search(node.value)):
            continue
        if not _held(node, parents):
            found.append((node.lineno, node.value))
    return sorted(found)


def _held(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.FunctionDef) and node.name in NOT_SHOWN_FUNCTIONS:
            return True
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            owner = getattr(getattr(func, "value", None), "id", "")
            if name in MARKED or name in NOT_SHOWN_CALLS or owner in NOT_SHOWN_OWNERS:
                return True
    return False


def test_the_python_guard_finds_unmarked_messages() -> None:
    source = (
        'X = N_("Marked for later")\n'
        'Y = "Not marked at all"\n'
        'def f():\n'
        '    """A docstring is not shown."""\n'
        '    log.error("a log line %s", 1)\n'
        '    errors["to"] = f"At most {n} characters."\n'
        '    return gettext("Shown"), {"draft": "Draft"}, "class-name", "ex-3-sets"\n'
    )
    assert unmarked_strings(source) == [(2, "Not marked at all"), (6, "At most "),
                                        (7, "Draft")]


@pytest.mark.parametrize("module", PAGE_MODULES, ids=lambda p: p.name)
def test_no_page_message_is_outside_gettext(module: Path) -> None:
    assert unmarked_strings(module.read_text(encoding="utf-8")) == []


#: A catalog's text shows inside these marks in the pseudo-translated pages.
OPEN, CLOSE = "\u27e6", "\u27e7"
_PSEUDO = re.compile(OPEN + ".*?" + CLOSE, re.S)


@pytest.fixture
def pseudo_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every message of the .pot, singular and plural, translated as itself in marks."""
    with (CATALOGS / "ankle_intake.pot").open("rb") as f:
        template = read_po(f)
    catalog = Catalog(locale="es", domain=i18n.DOMAIN)
    for message in template:
        if not message.id:
            continue
        if isinstance(message.id, (list, tuple)):
            forms = [f"{OPEN}{message.id[0]}{CLOSE}"] + [f"{OPEN}{message.id[1]}{CLOSE}"] * 2
            catalog.add(tuple(message.id), tuple(forms))
        else:
            catalog.add(message.id, f"{OPEN}{message.id}{CLOSE}")
    root = tmp_path / "pseudo"
    folder = root / "es" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / f"{i18n.DOMAIN}.mo").open("wb") as f:
        write_mo(f, catalog)
    domain = i18n.flask_babel.Domain(translation_directories=[str(root)], domain=i18n.DOMAIN)
    monkeypatch.setattr(i18n, "domain", domain)


def outside_the_catalog(html: str) -> list[tuple[int, str]]:
    """The words of ``html`` a reader meets that no catalog message produced."""
    return [(line, text) for line, text in unwrapped(_PSEUDO.sub(" ", html))
            if WORD.search(_PSEUDO.sub(" ", text))]


def _part(html: str, pattern: str) -> str:
    found = re.search(pattern, html, re.S)
    assert found, pattern
    return found.group(0)


def test_the_pseudo_check_finds_untranslated_words() -> None:
    assert outside_the_catalog(f"<p>{OPEN}Fine{CLOSE} 3</p><p>Left over</p>") == [
        (1, "Left over")]


def test_every_word_of_the_intake_form_comes_from_the_catalog(
    make_app: Callable[..., Flask], pseudo_catalog: None
) -> None:
    """Template words, the vocabulary's labels, hints and choices, and the CSRF message."""
    app = make_app(BABEL_DEFAULT_LOCALE="es", csrf=True)
    client = app.test_client()
    measures = (r'<details class="ai-section ai-fold" id="section-measures"'
                r'.*?(?=<div class="ai-actions">)')
    for page in (client.get("/ankle/intake"), client.post("/ankle/intake", data={"side": "x"})):
        html = re.sub(measures, "", page.get_data(as_text=True), flags=re.S)  # published words
        for name in ENDONYMS:  # the handout languages, by their own names
            html = html.replace(f">{name}<", "><")
        assert outside_the_catalog(html) == []
    assert f"{OPEN}The form had expired" in page.get_data(as_text=True)


def test_every_word_of_the_worklist_and_its_errors_comes_from_the_catalog(
    make_app: Callable[..., Flask], pseudo_catalog: None
) -> None:
    client = make_app(BABEL_DEFAULT_LOCALE="es").test_client()
    pages = [client.get("/ankle/assessments"),
             client.post("/ankle/assessments", data={"status": "x", "from": "2026-01-05",
                                                     "to": "2026-01-01", "clinician": "c" * 200}),
             client.post("/ankle/assessments", data={"to": "2026-13-01"}),
             client.post("/ankle/assessments", data={"cursor": "not-a-cursor"})]
    assert [p.status_code for p in pages] == [200, 400, 400, 400]
    for page in pages:
        assert outside_the_catalog(page.get_data(as_text=True)) == []


def test_the_review_and_episode_messages_come_from_the_catalog(
    make_app: Callable[..., Flask], pseudo_catalog: None, valid: dict[str, Any]
) -> None:
    """The done line, the error summaries, the findings' labels, the 400 and 409 pages."""
    app = make_app(BABEL_DEFAULT_LOCALE="es", ANKLE_INTAKE_CURRENT_USER=lambda: None)
    client = app.test_client()
    record = client.post("/ankle/api/assessments", json=valid).get_json()
    review = f"/ankle/assessments/{record['id']}"
    summary = r'<div class="ai-error-summary".*?</div>'
    shown = {
        "done": _part(client.get(review + "?done=saved").get_data(as_text=True),
                      r'<p class="ai-done".*?</p>'),
        "no user": _part(client.post(review + "/sign", data={}).get_data(as_text=True),
                         summary),
        "findings": _part(client.get(review).get_data(as_text=True),
                          r'<section aria-labelledby="findings-title">.*?</section>'),
        "bad flag": client.get(review + "/handout?large_print=ture").get_data(as_text=True),
    }
    episode = f"/ankle/episodes/{record['episode_id']}"
    guarded = make_app(BABEL_DEFAULT_LOCALE="es", csrf=True).test_client()
    other = guarded.post("/ankle/api/assessments", json=valid).get_json()
    shown["episode csrf"] = _part(
        guarded.post(f"/ankle/episodes/{other['episode_id']}/discharge",
                     data={"reason": "goals_met"}).get_data(as_text=True),
        r'<p class="ai-error" id="discharge-reason-error".*?</p>')
    ankle_intake.extension.state(app).storage.discharge(record["episode_id"], "goals_met", "t")
    shown["closed"] = client.get(episode + "/visits/new").get_data(as_text=True)
    for name, html in shown.items():
        if name in ("bad flag", "closed"):  # Werkzeug's page: its own words, ours in <p>
            html = _part(html, r"<p>.*?</p>")
        if name == "findings":  # the answers' words are the note's, not the catalog's
            html = "".join(re.findall(r"<dt>.*?</dt>|<h2.*?</h2>", html, re.S))
        assert outside_the_catalog(html) == [], name
        assert OPEN in html, name
