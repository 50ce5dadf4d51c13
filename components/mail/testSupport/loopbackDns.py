"""A DNS responder for the mail stack's acceptance test: answers A queries for the names given (the
container names Podman's DNS would answer, and the mail host), NOERROR with no answer for their other
types (so MX lookups fall back to A), NXDOMAIN for everything else. UDP on 127.0.0.1:53 only.

  loopbackDns.py NAME=IPV4 [NAME=IPV4 …]
"""
import socket
import struct
import sys

names = {}
for pair in sys.argv[1:]:
    name, address = pair.split("=")
    names[name.lower().rstrip(".")] = socket.inet_aton(address)

server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
server.bind(("127.0.0.1", 53))
print("listening", flush=True)
while True:
    query, client = server.recvfrom(512)
    ident, flags, qdcount = struct.unpack(">HHH", query[:6])
    labels, offset = [], 12
    while query[offset]:
        length = query[offset]
        labels.append(query[offset + 1 : offset + 1 + length].decode("ascii", "replace"))
        offset += 1 + length
    question = query[12 : offset + 5]
    qtype = struct.unpack(">H", query[offset + 1 : offset + 3])[0]
    name = ".".join(labels).lower()
    answers = b""
    rcode = 3
    if name in names:
        rcode = 0
        if qtype == 1:
            answers = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + names[name]
    header = struct.pack(">HHHHHH", ident, 0x8180 | (flags & 0x0100) | rcode, 1, 1 if answers else 0, 0, 0)
    server.sendto(header + question + answers, client)
