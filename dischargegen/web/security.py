"""What keeps the form safe on a hospital network: the Host-header allowlist (DNS rebinding against a
loopback service), a CSRF token bound to the session on every post, the response headers (no caching of
patient data, a Content-Security-Policy, no sniffing, no framing) and an access log that holds the method,
the route and the status only: never a query string, a form value or a path a client made up."""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import logging
import re
import secrets
from collections.abc import Iterable

from flask import Flask, Response, abort, g, request, session

CSRF_FIELD = "csrf_token"
_SESSION_KEY = "csrf"
ACCESS_LOG = logging.getLogger("dischargegen.web.access")
ERROR_LOG = logging.getLogger("dischargegen.web.error")
# img-src data: only: the preview shows the site's logo, which the HTML rendition carries inline as a
# data: URI (it fetches nothing); no image is loaded from anywhere, this server included.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'; "
    "img-src data:"
)
_STYLE_ATTRIBUTE = re.compile(r'\sstyle="([^"]*)"')


def csrf_token() -> str:
    """This session's token (made on first use): every form carries it, every post must."""
    token = session.get(_SESSION_KEY)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session[_SESSION_KEY] = token
    return token


def check_csrf() -> None:
    """400 unless the post carries its session's token (a post from another site has no session cookie:
    SameSite=Strict, and could not read the token anyway)."""
    expected = session.get(_SESSION_KEY)
    sent = request.form.get(CSRF_FIELD)
    if not isinstance(expected, str) or not sent or not hmac.compare_digest(expected, sent):
        abort(400, description="csrf")


def check_host(allowed_hosts: frozenset[str]) -> None:
    """400 for a Host header not on the list: a page on another name that resolves here (DNS rebinding)
    must not reach the form."""
    if request.host.lower() not in allowed_hosts:
        abort(400, description="host")


def allow_inline_styles(markup: str) -> None:
    """Allow, by hash, exactly the style attributes of `markup` (the document's pictures are inline SVG
    with style attributes) for this response, and nothing else inline."""
    g.style_hashes = sorted({_style_hash(html.unescape(value)) for value in _STYLE_ATTRIBUTE.findall(markup)})


def _style_hash(style: str) -> str:
    digest = hashlib.sha256(style.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def content_security_policy(style_hashes: Iterable[str]) -> str:
    hashes = " ".join(style_hashes)
    if not hashes:
        return CONTENT_SECURITY_POLICY
    return f"{CONTENT_SECURITY_POLICY}; style-src 'self' 'unsafe-hashes' {hashes}"


def add_headers(response: Response) -> Response:
    """On every response. Static files (style sheets) may be cached; nothing else is, since every other
    response may carry patient data."""
    if request.endpoint != "static" and request.endpoint != "document_css":
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
    response.headers["Content-Security-Policy"] = content_security_policy(g.get("style_hashes", ()))
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def log_access(response: Response) -> Response:
    """One line a request: method, route (the rule, not the path sent), status. Never values."""
    rule = request.url_rule.rule if request.url_rule is not None else "(no route)"
    ACCESS_LOG.info("%s %s %s", request.method, rule, response.status_code)
    return response


def install(app: Flask, allowed_hosts: Iterable[str]) -> None:
    hosts = frozenset(host.lower() for host in allowed_hosts)

    @app.before_request
    def _guard() -> None:
        check_host(hosts)
        if request.method == "POST":
            check_csrf()

    app.after_request(add_headers)
    app.after_request(log_access)
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.jinja_env.globals["csrf_field"] = CSRF_FIELD
