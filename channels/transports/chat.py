"""What the chat platforms share: an incoming-webhook URL that takes one JSON card."""

from abc import abstractmethod

from channels import outbound
from channels.messages import ChatMessage
from channels.transports.base import HttpTransport, apost_json


class ChatTransport(HttpTransport):
    """A chat platform: ``card`` lays the message out in the platform's format."""

    message_type = ChatMessage

    @abstractmethod
    def card(self, message: ChatMessage) -> dict: ...

    async def asend(self, message: ChatMessage, http: outbound.HttpSession) -> int:
        return await apost_json(http, message.url, self.card(message))
