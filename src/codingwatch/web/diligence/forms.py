from django import forms

from codingwatch.web.diligence.models import EvidenceDocument


class DocumentForm(forms.ModelForm):
    file = forms.FileField(required=False, help_text="kept with its SHA-256")

    class Meta:
        model = EvidenceDocument
        fields = ["kind", "title", "issued_on", "period_start", "period_end", "expires_on", "amount"]
        widgets = {f: forms.DateInput(attrs={"type": "date"})
                   for f in ("issued_on", "period_start", "period_end", "expires_on")}

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "the period ends before it starts")
        if data.get("kind") == "soc2_type2" and not end and not data.get("expires_on"):
            self.add_error("period_end", "a SOC 2 Type II report states its period")
        return data
