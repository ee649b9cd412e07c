"""Every subscriber channel has a transport, and the registry finds it by the channel's name."""

import pytest

from channels.transports import CHANNELS, transport_for
from subscribers.models import Channel


def test_every_subscriber_channel_has_its_own_transport():
    assert set(CHANNELS) == set(Channel.values)
    transports = [transport_for(channel) for channel in Channel.values]
    assert [t.channel for t in transports] == list(Channel.values)
    assert len({type(t) for t in transports}) == len(transports)


def test_an_unknown_channel_has_no_transport():
    with pytest.raises(LookupError):
        transport_for("pigeon")
