#!/usr/bin/env python3
"""Sends one QMP command to a QEMU and waits for its answer (QEMU's monitor is a socket; bash
cannot speak to it). Usage: qmp.py SOCKET COMMAND [JSON_ARGUMENTS]
Example: qmp.py vm/qmp.sock screendump '{"filename": "shot.ppm", "device": "gpu0"}'
Prints the "return" value as JSON; exits 1 with QEMU's error message on an error."""
import json
import socket
import sys


def main():
    path, command = sys.argv[1], sys.argv[2]
    arguments = json.loads(sys.argv[3]) if len(sys.argv) > 3 else {}
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(120)  # a screendump under emulation can take a while
    sock.connect(path)
    stream = sock.makefile("rw")

    def answer():
        # Skip the greeting's and asynchronous events' lines until a reply comes.
        for line in stream:
            message = json.loads(line)
            if "return" in message or "error" in message:
                return message
        raise SystemExit("qmp: QEMU closed the connection")

    stream.readline()  # the greeting
    for request in ({"execute": "qmp_capabilities"},
                    {"execute": command, "arguments": arguments}):
        stream.write(json.dumps(request) + "\n")
        stream.flush()
        reply = answer()
        if "error" in reply:
            sys.exit("qmp: %s: %s" % (request["execute"], reply["error"].get("desc")))
    print(json.dumps(reply["return"]))


if __name__ == "__main__":
    main()
