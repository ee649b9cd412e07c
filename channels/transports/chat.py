"""What the chat platforms share: an incoming-webhook URL that takes one JSON card."""

from abc import abstractmethod

from channels.messages import ChatMessage
from channels.transports.base import Transport, post_json


class ChatTransport(Transport):
    """A chat platform: ``card`` lays the message out in the platform's format."""

    message_type = ChatMessage

    @abstractmethod
    def card(self, message: ChatMessage) -> dict: ...

    def send(self, message: ChatMessage) -> int:
        return post_json(message.url, self.card(message))
