"""The public verification of documents (验真): number and code, or the PDF itself."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path


def verify(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError  # built next


urlpatterns = [path("verify/", verify, name="verify")]
