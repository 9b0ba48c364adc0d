"""Just enough of MQTT 3.1.1's framing to see which packets a client sends and where it
publishes (the gateway checks a publication before the broker acknowledges it)."""

from __future__ import annotations

PUBLISH = 3
_MAX_LENGTH_BYTES = 4


class MalformedPacketError(ValueError):
    """A byte stream that is not MQTT."""


class PacketReader:
    """Splits a client's byte stream (websocket frames cut anywhere) into whole packets."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        self._buffer += data
        packets: list[bytes] = []
        while True:
            length = _remaining_length(self._buffer)
            if length is None:
                return packets
            header, remaining = length
            total = header + remaining
            if len(self._buffer) < total:
                return packets
            packets.append(bytes(self._buffer[:total]))
            del self._buffer[:total]


def _remaining_length(buffer: bytearray) -> tuple[int, int] | None:
    """(fixed header size, remaining length) once the fixed header is complete."""
    value, multiplier = 0, 1
    for index in range(1, _MAX_LENGTH_BYTES + 1):
        if index >= len(buffer):
            return None
        byte = buffer[index]
        value += (byte & 0x7F) * multiplier
        if not byte & 0x80:
            return index + 1, value
        multiplier *= 128
    raise MalformedPacketError("remaining length longer than four bytes")


def packet_type(packet: bytes) -> int:
    return packet[0] >> 4


def publish_topic(packet: bytes) -> str:
    """The topic name of a PUBLISH packet."""
    header, _ = _remaining_length(bytearray(packet)) or (0, 0)
    if len(packet) < header + 2:
        raise MalformedPacketError("PUBLISH without a topic")
    size = int.from_bytes(packet[header : header + 2], "big")
    raw = packet[header + 2 : header + 2 + size]
    if len(raw) != size:
        raise MalformedPacketError("PUBLISH topic cut short")
    try:
        return raw.decode()
    except UnicodeDecodeError:
        raise MalformedPacketError("PUBLISH topic is not UTF-8") from None
