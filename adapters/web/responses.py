"""Every response of the public record: security headers, an ETag, and 304 when it matches."""

from __future__ import annotations

import hashlib

from aiohttp import web

# Nothing but this origin's stylesheet: no scripts at all, no frames, no third-party requests.
CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; "
       "form-action 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "interest-cohort=()",
}
TYPES = {
    "html": "text/html",
    "json": "application/json",
    "csv": "text/csv",
    "atom": "application/atom+xml",
    "css": "text/css",
    "svg": "image/svg+xml",
}


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _matches(request: web.Request, etag: str) -> bool:
    wanted = request.headers.get("If-None-Match", "")
    tags = {t.strip().removeprefix("W/") for t in wanted.split(",")}
    return etag in tags or "*" in tags


def respond(request: web.Request, text: str, kind: str, *, status: int = 200,
            filename: str | None = None) -> web.Response:
    """The body with its headers; a 304 without a body when the client's copy is current.

    Every response must be revalidated (``no-cache``), so a project taken off the record is
    gone for every reader at their next request.
    """
    body = text.encode("utf-8")
    headers = dict(SECURITY_HEADERS)
    headers["Cache-Control"] = "no-cache"
    if status == 200:
        headers["ETag"] = etag_of(body)
        if _matches(request, headers["ETag"]):
            return web.Response(status=304, headers=headers)
    if filename:
        headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return web.Response(body=body, status=status, headers=headers,
                        content_type=TYPES[kind], charset="utf-8")
