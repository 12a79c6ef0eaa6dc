"""The plugin's page strings through Flask-Babel, in a translation domain of its own.

The plugin's catalogs (``translations/<locale>/LC_MESSAGES/ankle_intake.mo``) sit
beside a host's own ``messages`` catalogs without touching them: the plugin's
templates get ``_``/``gettext``/``ngettext`` from a blueprint context processor,
so a host's templates and its Jinja globals are left as they were. A string the
plugin's catalog does not translate (the host's base template, say) is asked of
the host's own default domain.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import flask_babel
from flask import Flask
from markupsafe import Markup

TRANSLATIONS = Path(__file__).parent / "translations"
DOMAIN = "ankle_intake"

domain = flask_babel.Domain(translation_directories=[str(TRANSLATIONS)], domain=DOMAIN)


def init_babel(app: Flask) -> None:
    """Start Flask-Babel on ``app`` unless the host already has; the host's setup wins.

    Jinja is left unconfigured here (no extension, no globals on the host's
    environment): the plugin's templates get their callables from
    :func:`template_callables`.
    """
    if "babel" not in app.extensions:
        flask_babel.Babel(app, configure_jinja=False)


def _lookup(string: str) -> str:
    translated = domain.get_translations().ugettext(string)
    if translated == string:
        translated = flask_babel.get_domain().get_translations().ugettext(string)
    return translated


def _nlookup(singular: str, plural: str, num: int) -> str:
    translated = domain.get_translations().ungettext(singular, plural, num)
    if translated in (singular, plural):
        translated = flask_babel.get_domain().get_translations().ungettext(
            singular, plural, num
        )
    return translated


def gettext(string: str, **variables: Any) -> str:
    """``string`` in the current locale: the plugin's catalog first, then the host's."""
    translated = _lookup(string)
    return translated % variables if variables else translated


def ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:
    """The singular or plural of a message for ``num`` (``%(num)d`` in it is ``num``)."""
    variables.setdefault("num", num)
    return _nlookup(singular, plural, num) % variables


def lazy_gettext(string: str, **variables: Any) -> flask_babel.LazyString:
    """:func:`gettext` when the text is used, for strings made at import time."""
    return flask_babel.LazyString(gettext, string, **variables)


def _markup_gettext(string: str, **variables: Any) -> Markup:
    # As Jinja's own newstyle gettext: the catalog's text is template markup,
    # the variables are escaped into it.
    translated = Markup(_lookup(string))
    return translated % variables if variables else translated


def _markup_ngettext(singular: str, plural: str, num: int, **variables: Any) -> Markup:
    variables.setdefault("num", num)
    return Markup(_nlookup(singular, plural, num)) % variables


def N_(string: str) -> str:  # noqa: N802 - the gettext convention
    """Mark a message made at import time for the catalog; :func:`gettext` it where shown."""
    return string


def template_callables() -> dict[str, Any]:
    """``_``, ``gettext``, ``ngettext`` and ``page_language`` (the ``<html lang>``, from the
    locale Flask-Babel selects) for the plugin's templates: a context processor."""
    locale = flask_babel.get_locale()
    return {"_": _markup_gettext, "gettext": _markup_gettext, "ngettext": _markup_ngettext,
            "page_language": locale.language if locale else "en"}
