import contextlib
import logging
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found

from approvals.api.errors import body

logger = logging.getLogger(__name__)


class LanguageMiddleware:
    """Simplified Chinese for everyone, unless they chose another language.

    Unlike Django's LocaleMiddleware this ignores the browser's Accept-Language: an
    administration's screens are in Chinese by default, whatever locale a browser was installed
    with. The choice is the language cookie that Django's ``set_language`` view sets. API
    clients (paths under /api/) may ask with Accept-Language.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = settings.LANGUAGE_CODE
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if not chosen and request.path.startswith("/api/"):
            # API clients say which language they want for messages with Accept-Language.
            chosen = translation.get_language_from_request(request, check_path=False)
            if chosen == settings.LANGUAGE_CODE or not request.META.get("HTTP_ACCEPT_LANGUAGE"):
                chosen = None
        if chosen:
            with contextlib.suppress(LookupError):  # an unknown code in the cookie: the default
                language = translation.get_supported_language_variant(chosen)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


# Seconds a client is asked to wait before trying again while the database is unreachable: about
# as long as a PostgreSQL restart takes.
RETRY_AFTER_SECONDS = 5


class DatabaseUnavailableMiddleware:
    """While the database cannot be reached (a restart, a failover, a network cut), answer 503
    Service Unavailable with ``Retry-After`` at once, instead of a 500 that says something broke:
    a short page for people, the API's error format for /api/. Each request asks the database
    again, so the site comes back by itself when the database does (CONN_HEALTH_CHECKS replaces
    a persistent connection that died meanwhile).

    Only what the view raises, while rendering too, comes here (Django's ``process_exception``):
    the middleware before it in MIDDLEWARE do not touch the database on the way in.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning("database unavailable: %s %s: %s", request.method, request.path, str(exception).strip()[:200])
        if request.path.startswith("/api/"):
            message = _("The service is unavailable for a moment: please try again shortly.")
            response: HttpResponse = JsonResponse(body(503, "service_unavailable", str(message)), status=503)
        else:
            # No request context: the frame's context processors would ask the database again.
            response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response


class NotFoundPageMiddleware:
    """The product's own 404 page for a page that exists but shows nothing to this reader (a
    case of another department, an unknown tracking number), DEBUG or not.

    With DEBUG on, Django answers an Http404 raised in a view with its technical page, which
    lists the URL patterns; a demo machine runs with DEBUG on, and its users should see what
    production shows. A path that matches no pattern still gets Django's page under DEBUG.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, Http404) and getattr(request, "resolver_match", None) is not None:
            return page_not_found(request, exception)
        return None
