from django.apps import AppConfig
from django.db.models.signals import post_delete


class StatuspagesConfig(AppConfig):
    name = "statuspages"

    def ready(self):
        # Imported here: these modules load models, which exist only once apps are ready.
        from statuspages.cache import page_deleted
        from statuspages.models import StatusPage

        # Every way a page goes (admin bulk action, its organization deleted) takes its public
        # documents down on commit, not only status_page_delete.
        post_delete.connect(page_deleted, sender=StatusPage, dispatch_uid="page-deleted-cache")

        from audit.recording import register
        from core.admin import scope_choices
        from statuspages.models import Component, ComponentGroup
        from statuspages.selectors import page_organization_id

        # The admin offers an operator only their organizations' pages, groups and components.
        scope_choices(StatusPage, "organization__in")
        scope_choices(ComponentGroup, "page__organization__in")
        scope_choices(Component, "page__organization__in")

        register(
            StatusPage,
            object_type="status_page",
            organization_id=lambda page: page.organization_id,
            page_id=lambda page: page.pk,
        )
        for model, object_type in ((Component, "component"), (ComponentGroup, "component_group")):
            register(
                model,
                object_type=object_type,
                organization_id=page_organization_id,
                page_id=lambda row: row.page_id,
            )
