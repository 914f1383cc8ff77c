#!/usr/bin/env python3
"""A real SMTP server on loopback for the tests: every accepted message is written,
as received, to DIR/<n>.eml. Start it, stop it (SIGTERM) and start it again to test
delivery through an outage."""
import argparse
import itertools
import os
import signal
import socket
import threading

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, directory):
        self.directory = directory
        self.lock = threading.Lock()
        existing = [int(f.split(".")[0]) for f in os.listdir(directory) if f.endswith(".eml")]
        self.counter = itertools.count(max(existing, default=0) + 1)

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            n = next(self.counter)
        tmp = os.path.join(self.directory, f"{n}.tmp")
        with open(tmp, "wb") as f:
            f.write(envelope.content if isinstance(envelope.content, bytes) else envelope.content.encode())
        os.rename(tmp, os.path.join(self.directory, f"{n}.eml"))  # readers never see half a file
        return "250 Message accepted for delivery"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--dir", required=True)
    a = p.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    # aiosmtpd reports a port it could not bind only when its start check times out, so
    # bind once first (as asyncio does, with SO_REUSEADDR) to fail at once on a taken port.
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", a.port))
    # aiosmtpd's own start check gives up after 5 s, too short beside Chromium on 2 cores.
    c = Controller(Sink(a.dir), hostname="127.0.0.1", port=a.port, ready_timeout=60)
    c.start()
    print(f"smtp-sink listening on 127.0.0.1:{a.port}", flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    done.wait()
    c.stop()


if __name__ == "__main__":
    main()
