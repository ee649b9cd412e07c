"""Who is acting: a member (a person, through the admin), an API key, an integration or the
system (periodic tasks, anything with no caller)."""

from dataclasses import asdict, dataclass

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


def actor_for_user(user, organization) -> Actor:
    """The actor for a signed-in person acting on ``organization`` (an Organization or its id).
    The one place a user becomes an actor: memberships, once they exist, name it here."""
    name = user.get_full_name() or user.email or user.get_username()
    return Actor(type=ActorType.MEMBER, id=f"user_{user.pk}", name=name)


def actor_for_api_key(api_key) -> Actor:
    return Actor(type=ActorType.API_KEY, id=api_key.id, name=api_key.name)
