import factory

from accounts.models import Membership
from statuspages.models import Component, ComponentGroup, StatusPage
from tenancy.models import Organization


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"org-{n}")
    name = factory.LazyAttribute(lambda o: o.slug.replace("-", " ").title())


class MembershipFactory(factory.django.DjangoModelFactory):
    """``user`` in ``organization``; without a role, an active owner (the model's defaults)."""

    class Meta:
        model = Membership

    organization = factory.SubFactory(OrganizationFactory)


class StatusPageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StatusPage

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Page {n}")
    slug = factory.Sequence(lambda n: f"page-{n}")


class ComponentGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ComponentGroup

    page = factory.SubFactory(StatusPageFactory)
    name = factory.Sequence(lambda n: f"Group {n}")
    position = factory.Sequence(lambda n: n)


class ComponentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Component

    page = factory.SubFactory(StatusPageFactory)
    name = factory.Sequence(lambda n: f"Component {n}")
    position = factory.Sequence(lambda n: n)


# --- incidents and maintenances (public API tests) ---
import datetime as _dt  # noqa: E402

from django.utils import timezone as _timezone  # noqa: E402

from incidents.models import Incident, IncidentComponent, IncidentUpdate  # noqa: E402
from maintenances.models import Maintenance, MaintenanceUpdate  # noqa: E402


class IncidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Incident

    page = factory.SubFactory(StatusPageFactory)
    name = factory.Sequence(lambda n: f"Incident {n}")
    status = "investigating"
    impact = "none"
    started_at = factory.LazyFunction(_timezone.now)


class IncidentUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IncidentUpdate

    incident = factory.SubFactory(IncidentFactory)
    status = factory.LazyAttribute(lambda o: o.incident.status)
    message = factory.Sequence(lambda n: f"Update {n}")


class IncidentComponentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IncidentComponent

    incident = factory.SubFactory(IncidentFactory)
    component = factory.SubFactory(ComponentFactory, page=factory.SelfAttribute("..incident.page"))
    status = "major_outage"


class MaintenanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Maintenance
        skip_postgeneration_save = True

    page = factory.SubFactory(StatusPageFactory)
    name = factory.Sequence(lambda n: f"Maintenance {n}")
    status = "scheduled"
    start_at = factory.LazyFunction(lambda: _timezone.now() + _dt.timedelta(days=1))
    end_at = factory.LazyAttribute(lambda o: o.start_at + _dt.timedelta(hours=2))

    @factory.post_generation
    def components(self, create, extracted, **kwargs):
        if create and extracted:
            self.components.set(extracted)


class MaintenanceUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MaintenanceUpdate

    maintenance = factory.SubFactory(MaintenanceFactory)
    status = factory.LazyAttribute(lambda o: o.maintenance.status)
    message = factory.Sequence(lambda n: f"Maintenance update {n}")


# ---- subscribers (notifications owner) ----------------------------------------------------


def _signing_secret():
    from subscribers.models import new_signing_secret

    return new_signing_secret()


def _now():
    from django.utils import timezone

    return timezone.now()


class SubscriberFactory(factory.django.DjangoModelFactory):
    """A confirmed page-wide webhook subscriber unless told otherwise."""

    class Meta:
        model = "subscribers.Subscriber"

    page = factory.SubFactory(StatusPageFactory)
    channel = "webhook"
    endpoint = factory.Sequence(lambda n: f"http://127.0.0.1:9/hook/{n}")
    signing_secret = factory.LazyFunction(_signing_secret)
    confirmed_at = factory.LazyFunction(_now)
