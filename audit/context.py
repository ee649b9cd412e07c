"""The acting context of the running request or task, in a contextvar: who acts (an actor,
or a signed-in user resolved per organization), the request id and the client address.

The audit middleware opens one per HTTP request; API authentication names the key; periodic
tasks run without one and act as the system; an integration wraps its work in ``acting()``."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from audit.actors import ANONYMOUS, SYSTEM, Actor, actor_for_user


@dataclass
class ActingContext:
    actor: Actor | None = None
    user: object | None = None
    request_id: str = ""
    client_ip: str | None = None

    def actor_for(self, organization_id: str) -> Actor:
        if self.actor is not None:
            return self.actor
        if self.user is not None and self.user.is_authenticated:
            return actor_for_user(self.user, organization_id)
        # A request nobody signed in to (a public subscribe form); else a task: the system.
        return ANONYMOUS if self.request_id else SYSTEM


_current: ContextVar[ActingContext | None] = ContextVar("audit_acting_context", default=None)


def current() -> ActingContext:
    return _current.get() or ActingContext()


@contextmanager
def acting(
    *,
    actor: Actor | None = None,
    user=None,
    request_id: str = "",
    client_ip: str | None = None,
) -> Iterator[ActingContext]:
    """Writes inside the block are recorded as made by ``actor`` (or ``user``)."""
    context = ActingContext(actor=actor, user=user, request_id=request_id, client_ip=client_ip)
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


def act_as(actor: Actor) -> None:
    """Name the actor of the running request once it is known (API authentication). Outside
    a request's context (no middleware) nothing is set: a context never outlives its block."""
    context = _current.get()
    if context is not None:
        context.actor = actor
