"""Fetching an upstream page's ``summary.json`` and reading it, with no model behind it.

A fetch runs on the process's sending loop (``channels.outbound``) over its shared keep-alive
session, under the webhooks' address rules (https only, private networks only with
``WEBHOOK_ALLOW_PRIVATE_NETWORKS``; every resolved address and every redirect hop checked),
within a deadline, with ``If-None-Match`` when the last answer had an ``ETag``. It never
raises for the page's sake: a refused, silent or garbled page is a ``Fetched`` with ``error``.
"""

import asyncio
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from channels import outbound
from statuspages.upstreams import INDICATOR_STATUSES, SUMMARY_PATH

logger = logging.getLogger(__name__)

USER_AGENT = "StatusPageUpstream/1.0 (+https://github.com/statuspage-service)"
BODY_BYTES = 2 * 1024 * 1024  # a summary of a thousand components is some 500 KB
MAX_REDIRECTS = 3
MAX_COMPONENTS = 5000
CONCURRENCY = 50  # fetches in flight at once per batch
RETRY_AFTER_CODES = frozenset({429, 503})


class SummaryError(ValueError):
    """The answer is not a Statuspage-v2 summary."""


@dataclass(frozen=True)
class Summary:
    name: str
    indicator: str
    components: list[dict]  # [{id, name, status, group, group_id}] in the page's order


@dataclass(frozen=True)
class Fetched:
    """One poll's outcome: a new ``summary`` (with its ``etag``), ``not_modified`` (the last
    reading stands), or an ``error`` (with the server's ``Retry-After`` seconds, if it sent
    one)."""

    summary: Summary | None = None
    etag: str = ""
    not_modified: bool = False
    error: str = ""
    retry_after: float | None = None


def _text(value, default: str = "") -> str:
    return value if isinstance(value, str) else default


def summary_parse(body: bytes) -> Summary:
    """A Statuspage-v2 ``summary.json``: ``status.indicator`` is required; components without
    a string id are left out (nothing could mirror them)."""
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise SummaryError("The page did not answer with JSON.") from exc
    if not isinstance(document, dict):
        raise SummaryError("The page's summary is not a JSON object.")
    status = document.get("status")
    indicator = status.get("indicator") if isinstance(status, dict) else None
    if indicator not in INDICATOR_STATUSES:
        raise SummaryError(
            "The page's summary has no status.indicator of Statuspage's "
            f"({', '.join(INDICATOR_STATUSES)}): is it a Statuspage-v2 page?"
        )
    page = document.get("page")
    name = _text(page.get("name")) if isinstance(page, dict) else ""
    listed = document.get("components")
    if listed is not None and not isinstance(listed, list):
        raise SummaryError("The page's summary has components that are not a list.")
    components = []
    for item in (listed or [])[:MAX_COMPONENTS]:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not item["id"]:
            continue
        group_id = item.get("group_id")
        components.append(
            {
                "id": item["id"][:255],
                "name": _text(item.get("name"), item["id"])[:255],
                "status": _text(item.get("status"))[:64],
                "group": item.get("group") is True,
                "group_id": group_id[:255] if isinstance(group_id, str) and group_id else None,
            }
        )
    return Summary(name=name[:255], indicator=indicator, components=components)


def _retry_after(value: str | None) -> float | None:
    try:
        seconds = float(value) if value else None
    except ValueError:
        return None  # an HTTP date: the backoff applies
    return seconds if seconds is not None and seconds >= 0 else None


async def fetch(session: outbound.HttpSession, url: str, *, etag: str, timeout: float) -> Fetched:
    """GET ``{url}/api/v2/summary.json`` once, within ``timeout`` seconds in all."""
    headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
    if etag:
        headers["If-None-Match"] = etag
    try:
        # One deadline for the whole fetch, redirects included (the helper waits for it).
        async with asyncio.timeout(timeout):
            response = await session.request(
                "GET",
                url + SUMMARY_PATH,
                headers=headers,
                deadline=timeout,
                limit=BODY_BYTES + 1,
                redirects=MAX_REDIRECTS,
            )
    except (outbound.OutboundTimeout, TimeoutError):
        return Fetched(error=f"No answer within {timeout:g} s.")
    except outbound.UnsafeURL as exc:
        return Fetched(error=f"Refused by the outbound rules: {exc}")
    except outbound.OutboundError as exc:
        return Fetched(error=f"Could not reach the page: {exc}")
    code = response.status_code
    if code == 304 and etag:
        return Fetched(not_modified=True, etag=etag)
    if code != 200:
        retry_after = _retry_after(response.headers.get("Retry-After"))
        return Fetched(
            error=f"The page answered HTTP {code}.",
            retry_after=retry_after if code in RETRY_AFTER_CODES else None,
        )
    if len(response.body) > BODY_BYTES:
        return Fetched(error=f"The page's summary is over {BODY_BYTES // (1024 * 1024)} MB.")
    try:
        summary = summary_parse(response.body)
    except SummaryError as exc:
        return Fetched(error=str(exc))
    return Fetched(summary=summary, etag=response.headers.get("ETag", "")[:1024])


async def fetch_many(pages: Iterable[tuple[str, str]], *, timeout: float) -> list[Fetched]:
    """Every ``(url, etag)`` at once (at most ``CONCURRENCY`` in flight, and the session's
    per-host limit), on the process's shared webhook-rules session; in the given order."""
    pages = list(pages)
    if not pages:
        return []
    session = await outbound.shared_session(policy=outbound.WEBHOOKS)
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(url: str, etag: str) -> Fetched:
        async with gate:
            try:
                return await fetch(session, url, etag=etag, timeout=timeout)
            except Exception as exc:  # one page's surprise never stops the others
                logger.exception("fetching the upstream page %s failed", url)
                return Fetched(error=f"{type(exc).__name__}: {exc}")

    return list(await asyncio.gather(*(one(url, etag) for url, etag in pages)))
