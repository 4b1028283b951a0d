"""``public_page``: the mark and the response headers of every internet-facing view.

A public page never lets a shared cache keep per-user data: forms, tracking pages and anything
that sets a cookie or is seen signed in are ``Cache-Control: private, no-store``; a list asked
for with ``cache_seconds`` is ``public, max-age=N`` only when it is answered to an anonymous
visitor without setting a cookie. Pages are ``X-Robots-Tag: noindex`` unless ``index=True``.
``public_paths()`` reads the marks back from the URLconf: the README and
tests/test_public_surface.py compare it with what answers without signing in.
"""

from dataclasses import dataclass
from functools import wraps

from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.decorators import method_decorator

_MARK = "public_page"


@dataclass(frozen=True)
class PublicPage:
    cache_seconds: int = 0
    index: bool = False


def _headers(request, response, page: PublicPage) -> None:
    user = getattr(request, "user", None)
    shared = (page.cache_seconds > 0 and not response.cookies and response.status_code == 200
              and not (user is not None and user.is_authenticated))
    if shared:
        patch_cache_control(response, public=True, max_age=page.cache_seconds)
    else:
        add_never_cache_headers(response)
        patch_cache_control(response, private=True)
    if not page.index:
        response.headers["X-Robots-Tag"] = "noindex"


def public_page(view=None, *, cache_seconds: int = 0, index: bool = False):
    """Mark a view (a function or a class-based view, DRF's included) as internet-facing and
    set its caching and robots headers. ``@public_page`` or ``@public_page(cache_seconds=300,
    index=True)``."""
    page = PublicPage(cache_seconds=cache_seconds, index=index)

    def decorate(view):
        def guard(function):
            @wraps(function)
            def wrapper(request, *args, **kwargs):
                response = function(request, *args, **kwargs)
                _headers(request, response, page)
                return response

            return wrapper

        if isinstance(view, type):
            view = method_decorator(guard, name="dispatch")(view)
        else:
            view = guard(view)
        setattr(view, _MARK, page)
        return view

    return decorate(view) if view is not None else decorate


def public_page_of(callback) -> PublicPage | None:
    """The mark of a URL's callback (a decorated function, or the class behind ``as_view()``)."""
    return getattr(callback, _MARK, None) or getattr(getattr(callback, "view_class", None), _MARK, None)


@dataclass(frozen=True)
class PublicPath:
    route: str  # e.g. "/report/<str:code>/"
    name: str
    page: PublicPage


def url_patterns(urlconf=None):
    """Every (route, URLPattern) of the URLconf, routes joined from the root ("/…")."""

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else (
                    pattern.namespace or namespace)
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}:{pattern.name}" if namespace and pattern.name else (pattern.name or "")
                yield "/" + prefix + str(pattern.pattern), name, pattern

    return list(walk(get_resolver(urlconf).url_patterns, "", ""))


def public_paths(urlconf=None) -> list[PublicPath]:
    """Every route whose view is marked ``public_page``, in URLconf order."""
    return [PublicPath(route=route, name=name, page=page)
            for route, name, pattern in url_patterns(urlconf)
            if (page := public_page_of(pattern.callback)) is not None]
