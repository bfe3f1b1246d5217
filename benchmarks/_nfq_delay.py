"""Hold every packet of NFQUEUE 1 for a fixed time before accepting it (run as root).

Used by path_accuracy.py inside the server's network namespace: this kernel has no
netem qdisc, so the delay is made by hand.
Run: python _nfq_delay.py DELAY_MS
"""

from __future__ import annotations

import collections
import sys
import threading
import time

from netfilterqueue import NetfilterQueue, Packet

DELAY_S = float(sys.argv[1]) / 1000
held: collections.deque = collections.deque()
ready = threading.Condition()


def hold(packet: Packet) -> None:
    with ready:
        held.append((time.monotonic() + DELAY_S, packet))
        ready.notify()


def release() -> None:
    while True:
        with ready:
            while not held:
                ready.wait()
            due, packet = held[0]
        time.sleep(max(0.0, due - time.monotonic()))
        with ready:
            held.popleft()
        packet.accept()


threading.Thread(target=release, daemon=True).start()
queue = NetfilterQueue()
queue.bind(1, hold)
print("ready", flush=True)
try:
    queue.run()
finally:
    queue.unbind()
