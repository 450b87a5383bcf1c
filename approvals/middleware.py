import contextlib
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers


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
