"""The cost calculator page: thin views over codingwatch.cost (see calculator.py for the form).

Evaluating is a read (GET): any role that may open the module, the read-only executive
included, may try inputs and download the brief. Saving and deleting scenarios are changes
(POST), for admin and director only.
"""

from __future__ import annotations

import datetime as dt
import json
import re

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from codingwatch.cost import ScenarioError, parse_scenario
from codingwatch.cost.brief import chart_specs, render_html
from codingwatch.cost.inputs import COMPONENT_LABELS, COMPONENTS
from codingwatch.web.accounts import roles
from codingwatch.web.accounts.access import module_view
from codingwatch.web.accounts.models import AccessEvent
from codingwatch.web.accounts.trail import record_access
from codingwatch.web.costs import calculator
from codingwatch.web.costs.models import SavedScenario
from codingwatch.web.lake_cache import chart_spec
from codingwatch.web.organizations.models import Organization

MODULE = "costs"


# ---- reading the request ---------------------------------------------------------------------
def _base(request) -> tuple[dict, str, SavedScenario | None, list[str]]:
    """The scenario the form starts from: the form's own, a saved one, or a preset."""
    problems: list[str] = []
    raw = request.GET.get("scenario")
    if raw:
        try:
            data = json.loads(raw)
            if isinstance(data, dict):
                return data, str(data.get("scenario") or "scenario"), None, problems
            problems.append("scenario: must be a mapping (the YAML file's shape)")
        except json.JSONDecodeError as exc:
            problems.append(f"scenario: not valid JSON ({exc.msg} at character {exc.pos})")
    saved_id = request.GET.get("saved")
    if saved_id:
        if not saved_id.isdigit():
            raise Http404("no such saved scenario")
        saved = get_object_or_404(SavedScenario.objects.select_related("organization"), pk=int(saved_id))
        return saved.scenario, f"saved: {saved.organization} / {saved.name}", saved, problems
    preset = request.GET.get("preset") or calculator.DEFAULT_PRESET
    if preset not in calculator.presets():
        problems.append(f"preset: no preset `{preset}` (presets: {', '.join(calculator.presets())})")
        preset = calculator.DEFAULT_PRESET
    return calculator.preset_dict(preset), f"preset: {preset}", None, problems


def _texts(request) -> dict[str, str]:
    prefix = calculator.FIELD_PREFIX
    return {key[len(prefix):]: value for key, value in request.GET.items() if key.startswith(prefix)}


def _actuals(request, problems: list[str]):
    """Measured figures from the lake over a period, when the form asks for them."""
    if request.GET.get("actuals") != "1":
        return None
    dates = {}
    for key in ("from", "to"):
        text = (request.GET.get(key) or "").strip()
        try:
            dates[key] = dt.date.fromisoformat(text)
        except ValueError:
            problems.append(f"measured figures: `{key}` must be a date YYYY-MM-DD (got {text!r})")
    if problems:
        return None
    if dates["to"] < dates["from"]:
        problems.append(f"measured figures: `to` {dates['to']} is before `from` {dates['from']}")
        return None

    def apply(scenario):
        from codingwatch.cost.actuals import apply_actuals, measure_from_lake
        from codingwatch.lake import open_lake

        return apply_actuals(scenario, measure_from_lake(open_lake(), dates["from"], dates["to"]))

    return apply


def _calculate(request) -> tuple[calculator.Calculation, str, SavedScenario | None]:
    base, origin, saved, problems = _base(request)
    actuals = _actuals(request, problems)
    calc = calculator.calculate(base, _texts(request), draws=request.GET.get("draws"),
                                seed=request.GET.get("seed"), pair=request.GET.get("pair") or None,
                                actuals=actuals)
    calc.general_errors = problems + calc.general_errors
    if problems:
        calc.result = None
    return calc, origin, saved


# ---- what the templates show -----------------------------------------------------------------
def _query(calc: calculator.Calculation) -> str:
    from urllib.parse import urlencode

    params = {"scenario": calc.scenario_json, "draws": calc.draws, "seed": calc.seed}
    if calc.pair:
        params["pair"] = ",".join(calc.pair)
    return urlencode(params)


def results_context(calc: calculator.Calculation, request) -> dict:
    context = {"calc": calc, "may_change": roles.may_change(request.user.role, MODULE)}
    if not calc.valid:
        return context
    result = calc.result
    comparison = result["comparison"]
    names = list(comparison["options"])
    options = [dict(comparison["options"][n], name=n) for n in names]
    components = [
        {"label": COMPONENT_LABELS[c], "cells": [o["components"][c] for o in options]}
        for c in COMPONENTS if any(o["components"][c] for o in options)
    ]
    simulation = result.get("simulation")
    measured = [
        dict(row, option=option) for option, rows in (result.get("measured") or {}).items() for row in rows
    ] or calculator.promised_notes(calc.scenario)
    context.update(
        result=result, options=options, components=components, comparison=comparison,
        headline=result.get("headline") or {}, tornado=result.get("tornado"),
        tornado_rows=(result.get("tornado") or {}).get("inputs", [])[:15],
        simulation_rows=[dict(o, name=n) for n, o in simulation["options"].items()] if simulation else [],
        simulation=simulation, measured=measured,
        charts=chart_spec("costs", result, lambda: chart_specs(result)),
        scenario_json=calc.scenario_json, query=_query(calc),
        organizations=Organization.objects.order_by("name"),
        scenario_name=calc.scenario.get("scenario", ""),
    )
    return context


def _page_context(request, calc, origin, saved) -> dict:
    data = calc.base if not isinstance(calc.scenario, dict) else calc.scenario
    context = results_context(calc, request)
    context.update(
        origin=origin, saved=saved, presets=calculator.presets(),
        groups=calculator.form_groups(data, calc.texts, calc.errors),
        base_json=json.dumps(calc.base, default=str),
        option_names=list(data.get("options") or {}),
        pair_value=",".join(calc.pair) if calc.pair else (request.GET.get("pair") or ""),
        saved_scenarios=SavedScenario.objects.select_related("organization", "saved_by"),
        form=request.GET,
    )
    return context


# ---- views -----------------------------------------------------------------------------------
@require_GET
@module_view(MODULE)
def calculator_page(request):
    calc, origin, saved = _calculate(request)
    return render(request, "costs/calculator.html", _page_context(request, calc, origin, saved))


@require_GET
@module_view(MODULE)
def evaluate_fragment(request):
    """The results alone, with the field errors swapped in beside their inputs (htmx)."""
    calc, origin, saved = _calculate(request)
    context = _page_context(request, calc, origin, saved)
    context["oob"] = True
    return render(request, "costs/_results.html", context)


@require_GET
@module_view(MODULE)
def brief(request, fmt: str):
    """The decision brief of the scenario on the page, as HTML or PDF; recorded as an export."""
    if fmt not in ("html", "pdf"):
        raise Http404("no such format")
    calc, origin, saved = _calculate(request)
    if not calc.valid:
        problems = calc.general_errors + [f"{path}: {'; '.join(r)}" for path, r in calc.errors.items()]
        return HttpResponse("The scenario cannot be evaluated: " + "; ".join(problems),
                            status=400, content_type="text/plain; charset=utf-8")
    html = render_html(calc.scenario_object, result=calc.result)
    name = calc.scenario.get("scenario") or "scenario"
    record_access(request, action=AccessEvent.EXPORT, object_type=f"cost-brief-{fmt}", object_id=name)
    filename = "decision-brief-" + (re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower() or "scenario")
    if fmt == "pdf":
        from codingwatch.reports.render import pdf_bytes

        response = HttpResponse(pdf_bytes(html), content_type="application/pdf")
    else:
        response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def save_scenario(*, organization: Organization, name: str, scenario: dict, user) -> tuple[SavedScenario, bool]:
    """Validate and save (a name already used in the organization is replaced). Raises ScenarioError."""
    name = name.strip()
    if not name:
        raise ScenarioError(["name: required"], "save")
    parse_scenario(scenario)
    with transaction.atomic():
        saved, created = SavedScenario.objects.update_or_create(
            organization=organization, name=name, defaults={"scenario": scenario, "saved_by": user})
    return saved, created


@require_POST
@module_view(MODULE, change=True)
def save(request):
    organization = Organization.objects.filter(pk=request.POST.get("organization") or 0).first()
    if organization is None:
        messages.error(request, "Choose an organization to save the scenario for (an administrator adds "
                                "organizations in the admin screens).")
        return redirect("costs")
    try:
        scenario = json.loads(request.POST.get("scenario") or "")
        saved, created = save_scenario(organization=organization, name=request.POST.get("name", ""),
                                       scenario=scenario, user=request.user)
    except json.JSONDecodeError:
        messages.error(request, "The scenario to save is not valid JSON.")
        return redirect("costs")
    except (ScenarioError, IntegrityError) as exc:
        problems = getattr(exc, "problems", [str(exc)])
        messages.error(request, "Not saved: " + "; ".join(problems))
        return redirect("costs")
    messages.success(request, f"{'Saved' if created else 'Replaced'} “{saved.name}” for {organization}.")
    return redirect(f"{reverse('costs')}?saved={saved.pk}")


@require_POST
@module_view(MODULE, change=True)
def delete(request, pk: int):
    saved = get_object_or_404(SavedScenario, pk=pk)
    name = f"{saved.organization} / {saved.name}"
    saved.delete()
    messages.success(request, f"Deleted “{name}”.")
    return redirect("costs")
