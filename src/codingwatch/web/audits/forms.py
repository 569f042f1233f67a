from __future__ import annotations

from django import forms

from codingwatch import vocabulary
from codingwatch.sampling.rng import SeedError, parse_seed
from codingwatch.web.audits.models import Audit
from codingwatch.web.organizations.vocabulary import known_specialties, lake_specialties
from codingwatch.web.vendors.models import Vendor


class AuditForm(forms.ModelForm):
    # Choices set per request: the organization's specialties (see __init__).
    specialties = forms.MultipleChoiceField(
        choices=[], required=False,
        widget=forms.CheckboxSelectMultiple, help_text="none ticked: every specialty")
    encounter_types = forms.MultipleChoiceField(
        choices=[(t, t) for t in vocabulary.ENCOUNTER_TYPES], required=False,
        widget=forms.CheckboxSelectMultiple, help_text="none ticked: every encounter type")
    # The queryset is set per request (the vendor scope is only active then).
    vendor = forms.ModelChoiceField(queryset=None)
    coders = forms.CharField(required=False, help_text="coder logins, comma-separated; empty: every coder")

    class Meta:
        model = Audit
        fields = [
            "title", "vendor", "purpose", "coders", "specialties", "encounter_types", "period_from", "period_to",
            "principal_dx_weight", "payment_error_weight", "limit_rule", "design", "strata_by", "size_rule",
            "sample_size", "expected_error_rate", "desired_precision", "confidence", "seed",
        ]
        widgets = {"period_from": forms.DateInput(attrs={"type": "date"}),
                   "period_to": forms.DateInput(attrs={"type": "date"})}
        labels = {"principal_dx_weight": "A principal-dx change counts as (errors)",
                  "payment_error_weight": "A payment-affecting error counts x"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vendor"].queryset = Vendor.objects.all()
        names = known_specialties(extra=lake_specialties() + list(getattr(self.instance, "specialties", None) or []))
        self.fields["specialties"].choices = [(s, s.replace("_", " ")) for s in names]
        self.fields["principal_dx_weight"].widget = forms.Select(choices=[(1, "1"), (2, "2")])
        self.fields["payment_error_weight"].widget = forms.Select(choices=[(1, "1"), (2, "2")])

    def clean_coders(self):
        return [c.strip() for c in self.cleaned_data["coders"].split(",") if c.strip()]

    def clean_seed(self):
        seed = self.cleaned_data["seed"].strip()
        try:
            parse_seed(seed)
        except SeedError as exc:
            raise forms.ValidationError(str(exc)) from None
        return seed

    def clean(self):
        data = super().clean()
        if data.get("period_from") and data.get("period_to") and data["period_to"] < data["period_from"]:
            self.add_error("period_to", "the period ends before it starts")
        if data.get("design") == "stratified" and not data.get("strata_by"):
            self.add_error("strata_by", "a stratified design needs a stratification")
        return data


class ImportForm(forms.Form):
    file = forms.FileField(help_text="as-audited lines in the `ingest encounters` layout (CSV or Parquet)")
