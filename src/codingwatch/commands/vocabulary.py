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
ORGANIZATION_OPTION = typer.Option(
    None, "--organization",
    help="the organization whose imported vocabulary applies (its name in the app database); "
         "needed only when the app database holds more than one organization",
)


def load_vocabulary(path: Path | None, organization: str | None = None) -> Vocabulary:
    """The mapping file when given; else the vocabulary `organization` imported into the app
    database (the only organization's when none is named); else the defaults. Each organization
    maps names its own way, so with several organizations and none named this refuses, naming them."""
    # imported here, not for the --help of the commands that take --vocabulary
    from codingwatch.vocabulary import Vocabulary, VocabularyError

    if path is not None:
        try:
            return Vocabulary.from_file(path)
        except VocabularyError as exc:
            raise UserError(str(exc)) from None
    return _from_database(organization)


def app_database() -> bool:
    """Whether there is an app database to read, Django set up for it when there is. Setting the app
    up also registers what it does when a load commits (`ingest.contract.AFTER_COMMIT`: the
    scorecard months warmed for the pages), so the loading commands call this first."""
    from codingwatch import config

    if not config.setting("DATABASE_URL") and not (config.var_dir() / "codingwatch.sqlite3").is_file():
        return False  # no app database yet: nothing imported
    from codingwatch.commands.web import DEFAULT_SETTINGS

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS)
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured:
        return False
    return True


def _from_database(organization: str | None) -> Vocabulary:
    from codingwatch.vocabulary import Vocabulary

    if not app_database():
        if organization:
            raise UserError(f"--organization {organization!r}: there is no app database yet "
                            "(run codingwatch demo, or import a roster)")
        return Vocabulary()
    from django.core.management.base import CommandError
    from django.db import DatabaseError

    try:
        from codingwatch.web.organizations.lookup import organization_for_command
        from codingwatch.web.organizations.vocabulary import load_vocabulary as from_app

        try:
            org = organization_for_command(organization, none_yet_ok=True)
        except CommandError as exc:
            raise UserError(str(exc)) from None
        return from_app(org)
    except DatabaseError:  # an app database not migrated
        if organization:
            raise UserError(f"--organization {organization!r}: the app database is not set up "
                            "(codingwatch manage migrate)") from None
        return Vocabulary()


def exempt_facilities(given: list[str] | None) -> list[str]:
    """The facilities exempt from POA reporting: those named on the command line and those marked
    POA exempt in the app database (a facility's code is unique across organizations, so every
    organization's marks apply to its own facilities only)."""
    named = list(given or [])
    if not app_database():
        return named
    from django.db import DatabaseError
    from django_scopes import scopes_disabled

    from codingwatch.web.organizations.models import Facility

    try:
        with scopes_disabled():
            marked = list(Facility.objects.filter(poa_exempt=True).values_list("code", flat=True))
    except DatabaseError:  # an app database not migrated
        return named
    return named + [code for code in marked if code not in named]
