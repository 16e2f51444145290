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

"""Count the frames an IPv4 address sends that reach a link.

Runs as a script where the link is (``ip netns exec NS python sniff.py
IFNAME ADDRESS``), so the tests need no ``tcpdump``: it reads every frame
of ``IFNAME`` on a raw packet socket (root) for ``--seconds``: it prints
``listening`` once it reads, then how many were ARP or IPv4 frames from
``ADDRESS`` (ARP sender or IPv4 source). A frame that crossed a segment
it should not have is one of those.
"""

import argparse
import select
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
ETH_P_IP = 0x0800
ETH_P_ARP = 0x0806


def sender(frame):
    """The IPv4 address a frame comes from (ARP or IPv4), or None."""
    if len(frame) < 34:
        return None
    ethertype = struct.unpack('!H', frame[12:14])[0]
    if ethertype == ETH_P_ARP:
        return socket.inet_ntoa(frame[28:32])
    if ethertype == ETH_P_IP:
        return socket.inet_ntoa(frame[26:30])
    return None


def count(ifname, address, seconds):
    """Frames from ``address`` seen on ``ifname`` within ``seconds``."""
    seen = 0
    with socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                       socket.htons(ETH_P_ALL)) as sock:
        sock.bind((ifname, 0))
        print('listening', flush=True)
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return seen
            ready, _, _ = select.select([sock], [], [], left)
            if ready and sender(sock.recv(65535)) == address:
                seen += 1


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('ifname')
    parser.add_argument('address')
    parser.add_argument('--seconds', type=float, default=5.0)
    args = parser.parse_args(argv)
    print(count(args.ifname, args.address, args.seconds))
    return 0


if __name__ == '__main__':
    sys.exit(main())
