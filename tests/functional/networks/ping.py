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

"""A minimal ICMP echo ("ping") for the network tests.

Runs as a script inside a network namespace (``ip netns exec NS python
ping.py ADDRESS``), so the tests need no ``ping`` binary: it sends
echo requests on a raw socket (root) and exits 0 when one is answered.
"""

import argparse
import os
import select
import socket
import struct
import sys
import time


def checksum(data):
    if len(data) % 2:
        data += b'\0'
    total = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    total = (total >> 16) + (total & 0xffff)
    total += total >> 16
    return ~total & 0xffff


def echo_request(ident, seq, payload=b'tenks-net-test'):
    header = struct.pack('!BBHHH', 8, 0, 0, ident, seq)
    csum = checksum(header + payload)
    return struct.pack('!BBHHH', 8, 0, csum, ident, seq) + payload


def is_reply(packet, address, ident, seq):
    """Whether an IPv4 packet is the echo reply from ``address`` to us."""
    header_len = (packet[0] & 0x0f) * 4
    source = socket.inet_ntoa(packet[12:16])
    icmp = packet[header_len:header_len + 8]
    if len(icmp) < 8 or source != address:
        return False
    kind, _code, _csum, r_ident, r_seq = struct.unpack('!BBHHH', icmp)
    return kind == 0 and r_ident == ident and r_seq == seq


def ping(address, count=3, timeout=2.0):
    """True when ``address`` answers one of ``count`` echo requests."""
    ident = os.getpid() & 0xffff
    with socket.socket(socket.AF_INET, socket.SOCK_RAW,
                       socket.IPPROTO_ICMP) as sock:
        for seq in range(1, count + 1):
            sock.sendto(echo_request(ident, seq), (address, 0))
            deadline = time.monotonic() + timeout
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                ready, _, _ = select.select([sock], [], [], left)
                if not ready:
                    break
                packet = sock.recv(2048)
                if is_reply(packet, address, ident, seq):
                    return True
    return False


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('address')
    parser.add_argument('--count', type=int, default=3)
    parser.add_argument('--timeout', type=float, default=2.0)
    args = parser.parse_args(argv)
    ok = ping(args.address, args.count, args.timeout)
    print('%s %s' % (args.address, 'answers' if ok else 'does not answer'))
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
