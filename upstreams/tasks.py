"""Celery entry points: beat's round over the upstream pages, and a poll of some of them."""

import logging

from celery import current_app, shared_task

from upstreams.services import upstream_urls_due, upstreams_poll, upstreams_purge

logger = logging.getLogger(__name__)

CHUNK = 100  # URLs per poll task: fetched at once, recorded one by one
# A poll task that waited longer than this is dropped: the next round sends the URL again.
EXPIRES_SECONDS = 60


@shared_task(name="upstreams.tasks.upstreams_poll_due", ignore_result=True)
def upstreams_poll_due_task() -> int:
    """Beat, every few seconds: a poll task per ``CHUNK`` of the URLs due (each claims its URLs,
    so one sent twice is fetched once); then unused rows are purged."""
    urls = upstream_urls_due()
    for start in range(0, len(urls), CHUNK):
        upstreams_poll_task.apply_async(args=[urls[start : start + CHUNK]], expires=EXPIRES_SECONDS)
    upstreams_purge()
    return len(urls)


@shared_task(name="upstreams.tasks.upstreams_poll", ignore_result=True)
def upstreams_poll_task(urls: list[str]) -> int:
    return upstreams_poll(urls)


def upstream_watch(url: str) -> None:
    """A component started mirroring ``url`` (after commit): poll it now rather than at the next
    round (if it was polled within the minute, its components get that reading at once). With
    the broker down, the next round polls it."""
    try:
        upstreams_poll_task.delay([url])
    except Exception:  # the write is committed; beat's round covers it
        if current_app.conf.task_always_eager:
            raise  # no broker: the poll itself failed, which is a bug to see
        logger.exception("could not queue the first poll of %s", url)
