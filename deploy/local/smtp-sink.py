#!/usr/bin/env python3
"""A real SMTP server for the test stack (aiosmtpd): accepts every message on loopback and writes
it, byte for byte as received, to <dir>/<n>.eml, so the tests read what `notifications` sent over
SMTP the same way they read local-mode emails. Not for production use."""
import argparse
import asyncio
import itertools
import os
import signal

from aiosmtpd.controller import Controller


class FolderHandler:
    def __init__(self, directory):
        self.directory = directory
        self.numbers = itertools.count(1)

    async def handle_DATA(self, server, session, envelope):
        name = f"smtp-{os.getpid()}-{next(self.numbers)}"
        temporary = os.path.join(self.directory, f".{name}.tmp")
        with open(temporary, "wb") as file:
            file.write(envelope.original_content)
        os.rename(temporary, os.path.join(self.directory, f"{name}.eml"))
        return "250 Message accepted for delivery"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    arguments = parser.parse_args()
    os.makedirs(arguments.dir, exist_ok=True)
    controller = Controller(FolderHandler(arguments.dir), hostname="127.0.0.1", port=arguments.port)
    controller.start()
    loop = asyncio.new_event_loop()
    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
    loop.run_until_complete(stop)
    controller.stop()


if __name__ == "__main__":
    main()
