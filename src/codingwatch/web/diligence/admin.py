from django.contrib import admin

from codingwatch.web.diligence.models import (
    Assessment,
    CoderCredential,
    Criterion,
    Declaration,
    EvidenceDocument,
)

admin.site.register(Criterion)
admin.site.register(Assessment)
admin.site.register(CoderCredential)
admin.site.register(Declaration)


@admin.register(EvidenceDocument)
class EvidenceDocumentAdmin(admin.ModelAdmin):
    list_display = ("vendor", "kind", "title", "issued_on", "expires_on", "sha256")
    readonly_fields = ("sha256", "size", "file_name", "uploaded_by")
