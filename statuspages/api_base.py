"""The base of every management API view under ``/status-pages/{page_id}/``."""

from functools import cached_property

from core.api import ApiView
from statuspages.models import StatusPage
from statuspages.selectors import page_for_key


class PageApiView(ApiView):
    """``self.page``: the URL's page as the caller's key may see it. Another organization's
    page, or one outside the key's page list, is the same 404 as a page that does not exist."""

    @cached_property
    def page(self) -> StatusPage:
        return page_for_key(self.api_key, self.kwargs["page_id"])
