from django.apps import AppConfig
from django.db.models.signals import post_delete


class TenancyConfig(AppConfig):
    name = "tenancy"

    def ready(self):
        # Imported here: these modules load models, which exist only once apps are ready.
        from core.admin import scope_choices
        from core.idempotency import idempotency_records_forget
        from tenancy.models import Organization

        # An operator is offered only their own organizations in the admin's forms.
        scope_choices(Organization, "id__in")

        # core keeps an organization's id, not a foreign key (it stands below tenancy): the
        # organization's idempotency records go with it, as its other rows do.
        def forget_idempotency_records(sender, instance, **kwargs):
            idempotency_records_forget(organization_id=instance.pk)

        post_delete.connect(
            forget_idempotency_records,
            sender=Organization,
            weak=False,
            dispatch_uid="organization-idempotency-records",
        )
