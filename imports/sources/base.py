"""What every source reader shares: its client, numbered or cursor paging, choosing the page."""

from imports.http import SourceClient, SourceUnreadable, base_url_checked

# Numbered pages are read until one comes back short; a source that never does stops here.
MAX_PAGES = 1000


def mapped(value, names: dict, what: str) -> str:
    """A source's enum value in our words; ValueError (the item is reported and skipped) for
    one the source's API does not document."""
    if value not in names:
        raise ValueError(f"{value!r} is not {what}")
    return names[value]


class Source:
    """One dialect's reader. ``read()`` returns the page as a ``Snapshot``; it raises
    ``SourceUnreadable`` when the source cannot be read at all."""

    kind = ""
    label = ""
    needs_key = True

    def __init__(self, url: str, api_key: str = ""):
        if self.needs_key and not api_key:
            raise SourceUnreadable(f"{self.label} needs an API key (--api-key).")
        self.url = base_url_checked(url)
        self.client = SourceClient(self.url, self.auth_headers(api_key))

    def auth_headers(self, api_key: str) -> dict:
        return {}

    def snapshot(self, *, page_id: str | None, with_subscribers: bool):
        """The page as a ``Snapshot``. An item the source garbled is noted in it and skipped;
        an answer that lacks what the API documents for the page itself is unreadable."""
        try:
            return self.read(page_id=page_id or None, with_subscribers=with_subscribers)
        except (KeyError, TypeError, AttributeError, ValueError, IndexError) as exc:
            raise SourceUnreadable(
                f"{self.label} at {self.url}: an answer lacks what its API documents ({exc!r})."
            ) from exc

    def read(self, *, page_id: str | None, with_subscribers: bool):
        raise NotImplementedError

    def numbered(self, path: str, *, size_name: str, size: int, **params) -> list:
        """Every item of a list paged with ``?page=`` (from 1) and a page size."""
        items = []
        for number in range(1, MAX_PAGES + 1):
            batch = self.client.get(path, {**params, "page": number, size_name: size})
            if not isinstance(batch, list):
                raise SourceUnreadable(f"{self.client.url(path)}: expected a list.")
            items.extend(batch)
            if len(batch) < size:
                return items
        return items

    def page_chosen(self, pages: list[dict], page_id: str | None, *, id_key: str = "id") -> str:
        """The page asked for, or the key's only page."""
        ids = [str(page.get(id_key)) for page in pages if isinstance(page, dict)]
        if page_id:
            return page_id
        if len(ids) == 1:
            return ids[0]
        if not ids:
            raise SourceUnreadable(f"{self.label}: the key reaches no page.")
        raise SourceUnreadable(
            f"{self.label}: the key reaches {len(ids)} pages; name one with --page-id "
            f"({', '.join(ids[:20])})."
        )

    def source_key(self, page_id: str) -> str:
        return f"{self.url}#{page_id}"
