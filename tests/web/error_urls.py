"""The site's URLs and one view that fails, to show the 500 page (tests only)."""

from django.urls import path

from codingwatch.web.urls import urlpatterns as site


def fail(request):
    raise RuntimeError("a view that fails, for the 500 page")


urlpatterns = [*site, path("test-failure/", fail)]
