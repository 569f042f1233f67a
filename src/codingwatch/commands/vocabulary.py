"""The organization's vocabulary for the commands that read encounters: a file, or the app database."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from codingwatch.commands.common import UserError

if TYPE_CHECKING:
    from codingwatch.vocabulary import Vocabulary

VOCABULARY_OPTION = typer.Option(
    None, "--vocabulary",
    help="a mapping file (kind,source,canonical) of source names to the organization's canonical names; "
         "default: the one imported into the app database (codingwatch manage import_vocabulary FILE)",
)


def load_vocabulary(path: Path | None) -> Vocabulary:
    """The mapping file when given; else the vocabulary in the app database; else the defaults."""
    # imported here, not for the --help of the commands that take --vocabulary
    from codingwatch.vocabulary import Vocabulary, VocabularyError

    if path is not None:
        try:
            return Vocabulary.from_file(path)
        except VocabularyError as exc:
            raise UserError(str(exc)) from None
    return _from_database()


def _from_database() -> Vocabulary:
    from codingwatch import config
    from codingwatch.vocabulary import Vocabulary

    if not config.setting("DATABASE_URL") and not (config.var_dir() / "codingwatch.sqlite3").is_file():
        return Vocabulary()  # no app database yet: nothing imported
    from codingwatch.commands.web import DEFAULT_SETTINGS

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS)
    import django
    from django.core.exceptions import ImproperlyConfigured
    from django.db import DatabaseError

    try:
        django.setup()
        from codingwatch.web.organizations.vocabulary import load_vocabulary as from_app

        return from_app()
    except (DatabaseError, ImproperlyConfigured):  # an app database not migrated or not configured
        return Vocabulary()
