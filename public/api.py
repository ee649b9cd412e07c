"""The Statuspage v2 public API: unauthenticated, cached per page, CORS open."""

import json
from datetime import timedelta

from django.http import Http404, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from core.errors import json_error
from metrics.selectors import PERIODS, charts_payload, page_charts
from public.documents import DOCUMENTS, page_object
from public.http import add_public_headers, cached_document, conditional_response
from public.selectors import page_state
from uptime.selectors import DEFAULT_DAYS, MAX_PUBLIC_DAYS, page_today, page_uptime, uptime_payload

JSON = "application/json; charset=utf-8"
READ_METHODS = ("GET", "HEAD")


def _preflight() -> HttpResponse:
    response = HttpResponse(status=204)
    response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
    response["Access-Control-Allow-Headers"] = "If-None-Match, Content-Type"
    response["Access-Control-Max-Age"] = "86400"
    return add_public_headers(response)


def _error(
    request, status: int, message: str | None = None, details: dict | None = None
) -> HttpResponse:
    response = add_public_headers(json_error(request, status, message, details=details))
    if status == 405:
        response["Allow"] = "GET, HEAD, OPTIONS"
    return response


def _render(document: str, page) -> bytes:
    payload = DOCUMENTS[document](page_state(page))
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


@csrf_exempt
def document_view(request, document: str, slug: str | None = None):
    request.json_errors = True
    if request.method == "OPTIONS":
        return _preflight()
    if request.method not in READ_METHODS:
        return _error(request, 405)
    try:
        cached = cached_document(request, slug, document, lambda page: _render(document, page))
    except Http404:
        return _error(request, 404, "No status page here.")
    return conditional_response(request, cached, JSON)


class _BadQuery(Exception):
    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter


def _days(query) -> int:
    """``?days=`` 1..365 (default 90)."""
    given = query.get("days")
    if given is None:
        return DEFAULT_DAYS
    if not given.isascii() or not given.isdigit() or not 1 <= int(given) <= MAX_PUBLIC_DAYS:
        raise _BadQuery("days", f"days must be a whole number from 1 to {MAX_PUBLIC_DAYS}.")
    return int(given)


def _period(query) -> str:
    """``?period=day|week|month`` (default day)."""
    given = query.get("period", "day")
    if given not in PERIODS:
        raise _BadQuery("period", f"period must be one of: {', '.join(PERIODS)}.")
    return given


def _render_uptime(page, days: int) -> bytes:
    today = page_today(page)
    state = page_state(page)
    uptime = page_uptime(
        page,
        start=today - timedelta(days=days - 1),
        end=today,
        components=state.components,
        groups=state.groups,
    )
    payload = {"page": page_object(state), **uptime_payload(uptime)}
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def _render_metrics(page, period: str) -> bytes:
    charts = page_charts(page, [period])[period]
    payload = {
        "page": page_object(page_state(page)),
        "period": period,
        "metrics": charts_payload(charts),
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def _query_document(request, slug, *, name: str, parameter: str, parse, render):
    """A document that takes one query parameter: any other, or a bad value, is a 400."""
    request.json_errors = True
    if request.method == "OPTIONS":
        return _preflight()
    if request.method not in READ_METHODS:
        return _error(request, 405)
    try:
        unknown = sorted(set(request.GET) - {parameter})
        if unknown:
            raise _BadQuery(unknown[0], "Unknown query parameter.")
        value = parse(request.GET)
    except _BadQuery as bad:
        return _error(
            request, 400, "The request is not valid.", details={bad.parameter: [str(bad)]}
        )
    try:
        cached = cached_document(
            request, slug, f"{name}?{parameter}={value}", lambda page: render(page, value)
        )
    except Http404:
        return _error(request, 404, "No status page here.")
    return conditional_response(request, cached, JSON)


@csrf_exempt
def uptime_view(request, slug: str | None = None):
    """Daily uptime per component (and group) over ``?days=`` days, oldest first."""
    return _query_document(
        request, slug, name="uptime.json", parameter="days", parse=_days, render=_render_uptime
    )


@csrf_exempt
def metrics_view(request, slug: str | None = None):
    """The displayed metrics over ``?period=`` (day, week or month), bucket averages."""
    return _query_document(
        request,
        slug,
        name="metrics.json",
        parameter="period",
        parse=_period,
        render=_render_metrics,
    )


@csrf_exempt
def not_found_view(request, slug: str | None = None, **kwargs):
    """Any other path under ``api/v2/``: the JSON 404, never an HTML page."""
    request.json_errors = True
    if request.method == "OPTIONS":
        return _preflight()
    return _error(request, 404)
