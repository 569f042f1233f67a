"""The `figures` template library: pages print figures as the reports do."""

from decimal import Decimal

import pytest
from django.template import Context, Template, TemplateSyntaxError


def _render(text: str, **context) -> str:
    return Template("{% load figures %}" + text).render(Context(context))


def test_filters_print_money_counts_and_rates():
    assert _render("{{ a|money }} {{ b|money }} {{ c|money:'cents' }} {{ d|money:'signed' }}",
                   a=Decimal("15909436.13"), b=Decimal("912.5"), c=Decimal("15909436.13"),
                   d=Decimal("1200")) == "$15,909,436 $912.50 $15,909,436.13 +$1,200"
    assert _render("{{ n|count }} {{ r|percent }} {{ r|percent:2 }} {{ s|percent:'signed' }}",
                   n=186000, r=0.1158, s=0.02) == "186,000 11.6% 11.58% +2.0%"


def test_missing_figures_print_as_a_dash():
    assert _render("{{ x|money }}|{{ x|count }}|{{ x|percent }}", x=None) == "—|—|—"


def test_an_unknown_money_option_is_a_template_error():
    with pytest.raises(TemplateSyntaxError, match="money: unknown option"):
        _render("{{ x|money:'euros' }}", x=1)
