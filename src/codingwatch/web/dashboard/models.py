from django.conf import settings
from django.db import models


class SavedView(models.Model):
    """A figure page as one user left it: the page's path and its query (period, sort), by name.

    Only its owner lists or opens it; the query is re-read (and re-checked against the owner's
    scope) every time the page is opened, as any typed URL would be.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views")
    name = models.CharField(max_length=120)
    page = models.CharField(max_length=300, help_text="the page's path, e.g. /denials/")
    query = models.CharField(max_length=2000, blank=True, help_text="the query string, without the ?")
    saved_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["page", "name"]
        constraints = [models.UniqueConstraint(fields=["user", "page", "name"], name="one_view_name_per_user_page")]

    def __str__(self) -> str:
        return f"{self.user} / {self.name}"

    @property
    def url(self) -> str:
        return self.page + (f"?{self.query}" if self.query else "")
