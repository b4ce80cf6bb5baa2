"""Security headers on every response, ``no-store`` on everything personal,
and Secure cookies over HTTPS.

A pure ASGI middleware installed by create_app, outside every route and
refusal (errors.server_error adds the same headers to a 500):

- ``Content-Security-Policy`` (``CSP``): scripts, styles, fonts and
  connections from the site itself only, no inline script or style, no
  plugins, no <base>, no framing, forms post only here. The platform's templates have no
  inline script, handler, ``javascript:`` URL or style attribute; the built
  handbook's few inline scripts (MkDocs Material's) are moved into files at
  build (quizapp/content/inline_scripts.py). nginx sends the same policy with
  the handbook it serves from disk (deploy/nginx.conf).
- ``X-Content-Type-Options: nosniff``, ``Referrer-Policy:
  strict-origin-when-cross-origin`` (another site sees the origin only, never
  an attempt's or a cohort's address), ``X-Frame-Options: DENY`` for browsers
  older than frame-ancestors.
- ``Strict-Transport-Security`` when the request came over HTTPS.
- ``Cache-Control: no-store`` unless the response says otherwise: every
  platform page, API answer and export holds someone's data. Only the static
  mounts say otherwise (the handbook: handbook_files.py, as nginx does; the
  platform's CSS and script revalidated each time).
- Set-Cookie over HTTPS gets ``Secure`` (COOKIE_SECURE=true forces it on
  every cookie the app sets itself, whatever the scheme).

"Came over HTTPS" is the request's scheme. Behind nginx it is taken from
X-Forwarded-Proto, but only from the addresses in TRUSTED_PROXIES (default
127.0.0.1; uvicorn's ProxyHeadersMiddleware, installed by create_app, which
also takes the client's address from X-Forwarded-For for the login throttle).
"""
from __future__ import annotations

from starlette.staticfiles import StaticFiles

CSP = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",          # MkDocs Material's icons are data: URLs in its CSS
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",               # no page uses <base> (ASVS 5.0 3.4.3 asks for 'none')
    "form-action 'self'",
    "frame-ancestors 'none'",
))
HSTS_SECONDS = 365 * 86400

ALWAYS = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),
)
HSTS = (b"strict-transport-security", f"max-age={HSTS_SECONDS}; includeSubDomains".encode())
NO_STORE = (b"cache-control", b"no-store")


def security_headers(scope) -> list[tuple[bytes, bytes]]:
    """The headers every response to this request carries (besides Cache-Control)."""
    return [*ALWAYS, HSTS] if scope.get("scheme") == "https" else list(ALWAYS)


class SecurityHeaders:
    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"
        extra = security_headers(scope)

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [h for h in extra if h[0] not in present]
                if b"cache-control" not in present:
                    headers.append(NO_STORE)
                if https:
                    headers = [(name, secure_cookie(value) if name.lower() == b"set-cookie" else value)
                               for name, value in headers]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def secure_cookie(value: bytes) -> bytes:
    """A Set-Cookie value with the Secure attribute."""
    attributes = [a.strip().lower() for a in value.split(b";")[1:]]
    return value if b"secure" in attributes else value + b"; Secure"


class CachedStatic(StaticFiles):
    """Static files that say how long a browser may keep them (the middleware
    leaves a response that says so as it is)."""

    def __init__(self, *args, cache_control: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.cache_control = cache_control

    def file_response(self, *args, **kwargs):
        response = super().file_response(*args, **kwargs)
        response.headers["cache-control"] = self.cache_control
        return response
