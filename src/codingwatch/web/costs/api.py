"""REST endpoints of the cost calculator (mounted under /api/costs/).

Same rules as the page: admin, director and executive may evaluate and read; admin and
director may save and delete; vendor users get 404 and other roles 403. Evaluating a scenario
of one's own is a POST (a scenario is a body, not a query), which the read-only executive role
may not send; presets and saved scenarios are evaluated by GET, open to the executive too.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from codingwatch.cost import ScenarioError
from codingwatch.web.accounts.access import check_module
from codingwatch.web.costs import calculator
from codingwatch.web.costs.models import SavedScenario
from codingwatch.web.costs.views import save_scenario
from codingwatch.web.organizations.models import Organization

router = Router(tags=["costs"])
MODULE = "costs"


def _guard(request, *, change: bool = False) -> None:
    try:
        check_module(request, MODULE, change=change)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from None


def jsonable(value):
    """Decimals as strings (exact, as the CLI's --format json prints money), tuples as lists."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


class EvaluateIn(Schema):
    scenario: dict | None = None
    preset: str | None = None
    draws: int = calculator.DEFAULT_DRAWS
    seed: int = 0
    pair: list[str] | None = None


class ProblemsOut(Schema):
    detail: str
    problems: list[str]


class SavedOut(Schema):
    id: int
    name: str
    organization: str
    saved_by: str
    saved_at: dt.datetime

    @staticmethod
    def resolve_organization(obj):
        return obj.organization.name

    @staticmethod
    def resolve_saved_by(obj):
        return obj.saved_by.get_username()


class SavedDetailOut(SavedOut):
    scenario: dict


class SaveIn(Schema):
    name: str
    organization: str
    scenario: dict


@router.post("/evaluate", response={200: dict, 422: ProblemsOut}, summary="Every figure of a scenario")
def evaluate(request, body: EvaluateIn):
    """Give `scenario` (the YAML file's shape, as JSON) or `preset` (hfma-2018, public-2025). Returns the
    comparison, the headline per domestic-equivalent hour, the tornado (of `pair`, default the two
    cheapest), the Monte Carlo summary (`draws`, `seed`) and the input table; money as decimal strings.
    An invalid scenario answers 422 with `problems` naming each field."""
    _guard(request)
    if body.scenario is None:
        name = body.preset or calculator.DEFAULT_PRESET
        if name not in calculator.presets():
            return Status(422, {"detail": "unknown preset", "problems": [
                f"preset: no preset `{name}` (presets: {', '.join(calculator.presets())})"]})
        scenario = calculator.preset_dict(name)
    else:
        scenario = body.scenario
    return _evaluated(scenario, body.draws, body.seed, ",".join(body.pair) if body.pair else None)


def _evaluated(scenario: dict, draws: int, seed: int, pair: str | None):
    calc = calculator.calculate(scenario, {}, draws=draws, seed=seed, pair=pair)
    if not calc.valid:
        return Status(422, {"detail": "the scenario cannot be evaluated", "problems": calc.problems})
    return jsonable(calc.result)


@router.get("/presets", response=list[str], summary="The preset scenarios")
def preset_list(request):
    _guard(request)
    return calculator.presets()


@router.get("/presets/{name}", response=dict, summary="One preset scenario, in the YAML file's shape")
def preset_detail(request, name: str):
    _guard(request)
    if name not in calculator.presets():
        raise HttpError(404, f"no preset {name!r}")
    return calculator.preset_dict(name)


@router.get("/presets/{name}/evaluate", response={200: dict, 422: ProblemsOut},
            summary="Every figure of a preset (a read: open to the executive role too)")
def preset_evaluate(request, name: str, draws: int = calculator.DEFAULT_DRAWS, seed: int = 0,
                    pair: str | None = None):
    """As POST /evaluate, for a preset; `pair` is two option names separated by a comma."""
    _guard(request)
    if name not in calculator.presets():
        raise HttpError(404, f"no preset {name!r}")
    return _evaluated(calculator.preset_dict(name), draws, seed, pair)


@router.get("/scenarios", response=list[SavedOut], summary="Saved scenarios of your organization")
def saved_list(request):
    _guard(request)
    return list(SavedScenario.objects.select_related("organization", "saved_by"))


@router.get("/scenarios/{scenario_id}", response=SavedDetailOut, summary="One saved scenario")
def saved_detail(request, scenario_id: int):
    _guard(request)
    return get_object_or_404(SavedScenario.objects.select_related("organization", "saved_by"), pk=scenario_id)


@router.get("/scenarios/{scenario_id}/evaluate", response={200: dict, 422: ProblemsOut},
            summary="Every figure of a saved scenario (a read: open to the executive role too)")
def saved_evaluate(request, scenario_id: int, draws: int = calculator.DEFAULT_DRAWS, seed: int = 0,
                   pair: str | None = None):
    _guard(request)
    return _evaluated(get_object_or_404(SavedScenario, pk=scenario_id).scenario, draws, seed, pair)


@router.post("/scenarios", response={201: SavedDetailOut, 200: SavedDetailOut, 422: ProblemsOut},
             summary="Save a scenario for an organization (a name in use is replaced)")
def saved_create(request, body: SaveIn):
    _guard(request, change=True)
    organization = Organization.objects.filter(name=body.organization).first()
    if organization is None:
        return Status(422, {"detail": "unknown organization", "problems": [f"organization: no organization named {body.organization!r}"]})
    try:
        saved, created = save_scenario(organization=organization, name=body.name, scenario=body.scenario,
                                       user=request.user)
    except ScenarioError as exc:
        return Status(422, {"detail": "the scenario is not valid", "problems": exc.problems})
    return Status(201 if created else 200, saved)


@router.delete("/scenarios/{scenario_id}", response={204: None}, summary="Delete a saved scenario")
def saved_delete(request, scenario_id: int):
    _guard(request, change=True)
    get_object_or_404(SavedScenario, pk=scenario_id).delete()
    return Status(204, None)
