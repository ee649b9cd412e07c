import factory

from accounts.models import Organization
from statuspages.models import Component, ComponentGroup, StatusPage


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"org-{n}")
    name = factory.LazyAttribute(lambda o: o.slug.replace("-", " ").title())


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
