"""Who is acting: a member (a person, through the admin), an API key, an integration or the
system (periodic tasks, anything with no caller)."""

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from audit.models import ActorType


@dataclass(frozen=True)
class Actor:
    type: str
    id: str
    name: str

    def as_dict(self) -> dict:
        return asdict(self)


SYSTEM = Actor(type=ActorType.SYSTEM, id="system", name="System")
ANONYMOUS = Actor(type=ActorType.SYSTEM, id="anonymous", name="Anonymous visitor")


# Names a user's membership of an organization (``mem_...``): registered by the accounts app
# in its AppConfig.ready, since memberships live above this layer.
_membership_id: Callable[[Any, Any], str | None] | None = None


def membership_id_source(function: Callable[[Any, Any], str | None]) -> None:
    global _membership_id
    _membership_id = function


def actor_for_user(user, organization) -> Actor:
    """The actor for a signed-in person acting on ``organization`` (an Organization or its id):
    the member, by membership id (``user_<pk>`` for someone with none, e.g. a superuser)."""
    name = user.get_full_name() or user.email or user.get_username()
    member_id = _membership_id(user, organization) if _membership_id and organization else None
    return Actor(type=ActorType.MEMBER, id=member_id or f"user_{user.pk}", name=name)


def actor_for_api_key(api_key) -> Actor:
    return Actor(type=ActorType.API_KEY, id=api_key.id, name=api_key.name)
