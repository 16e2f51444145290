# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.

"""Raw Ethernet frames, tagged (802.1Q) or not, on packet sockets.

The test kernels have no 8021q module (no VLAN interfaces), so the VLAN
tests write and read frames themselves: :func:`send` writes a broadcast
frame of a test EtherType carrying a marker, with an 802.1Q tag or
without, and :class:`Listener` reads every link it was given at once and
says which markers reached which link, and with which VLAN tag.

A link with VLAN offload hands the tag to the packet socket beside the
frame (``PACKET_AUXDATA``) instead of in it; both are read.
"""

import select
import socket
import struct
import time

ETH_P_ALL = 0x0003
ETH_P_8021Q = 0x8100
#: IEEE 802 "local experimental" EtherType.
ETH_P_TEST = 0x88b5
SOL_PACKET = 263
PACKET_AUXDATA = 8
TP_STATUS_VLAN_VALID = 0x10
_AUXDATA = struct.Struct('IIIHHHH')
_BROADCAST = b'\xff' * 6
_SOURCE = bytes.fromhex('02aa00000001')


def frame(marker, vlan=None):
    """A broadcast frame carrying ``marker``, tagged with ``vlan``."""
    header = _BROADCAST + _SOURCE
    if vlan is not None:
        header += struct.pack('!HH', ETH_P_8021Q, vlan)
    return header + struct.pack('!H', ETH_P_TEST) + marker.encode()


def send(ifname, marker, vlan=None, count=3):
    """Write the frame of ``marker`` on ``ifname`` ``count`` times."""
    with socket.socket(socket.AF_PACKET, socket.SOCK_RAW) as sock:
        sock.bind((ifname, 0))
        for _ in range(count):
            sock.send(frame(marker, vlan))
            time.sleep(0.02)


def parse(data, ancdata=()):
    """``(marker, vlan)`` of a test frame, or None for any other frame."""
    vlan = None
    for level, kind, value in ancdata:
        if level == SOL_PACKET and kind == PACKET_AUXDATA and \
                len(value) >= _AUXDATA.size:
            status, _l, _s, _m, _n, tci, _t = _AUXDATA.unpack(
                value[:_AUXDATA.size])
            if status & TP_STATUS_VLAN_VALID:
                vlan = tci & 0x0fff
    if len(data) < 14:
        return None
    ethertype = struct.unpack('!H', data[12:14])[0]
    payload = data[14:]
    if ethertype == ETH_P_8021Q and len(data) >= 18:
        vlan = struct.unpack('!H', data[14:16])[0] & 0x0fff
        ethertype = struct.unpack('!H', data[16:18])[0]
        payload = data[18:]
    if ethertype != ETH_P_TEST:
        return None
    return payload.decode(errors='replace'), vlan


class Listener(object):
    """Packet sockets on several links, read together.

    Use as a context manager; open it before sending.
    """

    def __init__(self, ifnames):
        self.socks = {}
        for name in ifnames:
            sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                                 socket.htons(ETH_P_ALL))
            sock.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
            sock.bind((name, 0))
            self.socks[name] = sock

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for sock in self.socks.values():
            sock.close()

    def heard(self, seconds=1.5):
        """``{ifname: {marker: vlan}}`` of the test frames read.

        Only frames that arrived on a link count (not those it sent).
        """
        out = {name: {} for name in self.socks}
        by_fd = {s.fileno(): name for name, s in self.socks.items()}
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return out
            ready, _w, _x = select.select(list(self.socks.values()), [], [],
                                          left)
            for sock in ready:
                data, ancdata, _flags, address = sock.recvmsg(
                    65535, socket.CMSG_SPACE(_AUXDATA.size))
                if address[2] == socket.PACKET_OUTGOING:
                    continue
                found = parse(data, ancdata)
                if found is not None:
                    out[by_fd[sock.fileno()]][found[0]] = found[1]
