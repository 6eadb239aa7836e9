#!/usr/bin/python3
"""Bounded resources: a client that stops reading is disconnected once its queued output passes
--max-output (with the reason logged), the daemon's memory does not grow with it, and the other
clients are not disturbed. Many idle clients cost little memory.

Run: /usr/bin/python3 tests/daemon/e2e_limits.py PATH/TO/mtjson
"""
import json
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_harness import Client, run_with_daemon  # noqa: E402

MAX_OUTPUT = 1 << 20  # 1 MiB


def main(exe):
    # Under AddressSanitizer freed memory waits in a quarantine (256 MiB by default) before it is
    # reused: a small one keeps the memory bounds below about the daemon, not the sanitizer.
    os.environ['ASAN_OPTIONS'] = ':'.join(filter(None, [os.environ.get('ASAN_OPTIONS'), 'quarantine_size_mb=16']))
    run_with_daemon(exe, run, '--max-output', str(MAX_OUTPUT))


def run(c, d):
    good = Client(d.port)
    good.call({'_cons': 'help.getConfig'})
    base_rss = d.rss_kib()

    # A client that writes requests and never reads: each help.getConfig answer is ~1 KB, so
    # 20,000 of them (~20 MB) would be queued without a bound.
    slow = socket.create_connection(('127.0.0.1', d.port))
    slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    line = (json.dumps({'message': {'_cons': 'help.getConfig'}}) + '\n').encode()
    sent = 0
    closed = False
    slow.settimeout(5)
    t_end = time.monotonic() + 60
    peak = base_rss
    while sent < 20000 and time.monotonic() < t_end:
        try:
            slow.sendall(line * 200)
            sent += 200
        except (BrokenPipeError, ConnectionResetError, socket.timeout):
            closed = True
            break
        peak = max(peak, d.rss_kib())
        if d.logged('output queue'):
            break
    # Wait for the daemon's verdict.
    t_end = time.monotonic() + 30
    while time.monotonic() < t_end and not d.logged('output queue'):
        time.sleep(0.1)
        peak = max(peak, d.rss_kib())
    reason = [l for l in d.log if 'output queue' in l]
    c.check('a client that does not read is disconnected, the reason logged', bool(reason),
            (reason[0] if reason else 'no log line') + ' (after %d requests)' % sent)
    # Under AddressSanitizer every allocation carries redzones and the quarantine (see main) holds
    # 16 MiB more.
    with open(sys.argv[1], 'rb') as f:
        asan = b'__asan_init' in f.read()
    c.check('... the daemon\'s memory stayed bounded', peak - base_rss < (160 if asan else 64) * 1024,
            'RSS %d KiB -> peak %d KiB' % (base_rss, peak))
    # Its socket is closed by the daemon: reading what is buffered ends in EOF or a reset.
    eof = closed
    slow.settimeout(10)
    try:
        while True:
            chunk = slow.recv(1 << 20)
            if not chunk:
                eof = True
                break
    except (ConnectionResetError, socket.timeout, OSError):
        eof = True
    c.check('... and its connection is closed', eof)
    slow.close()

    r = good.call({'_cons': 'help.getNearestDc'})
    c.check('other clients are unaffected', r.get('_cons') == 'nearestDc', str(r))

    # Idle clients: 300 connections that each made one call.
    idle = []
    before = d.rss_kib()
    for _ in range(300):
        cl = Client(d.port)
        idle.append(cl)
    for cl in idle:
        cl.send({'id': 1, 'message': {'_cons': 'help.getNearestDc'}})
    answered = 0
    for cl in idle:
        try:
            answered += cl.wait(1, timeout=60).get('message', {}).get('_cons') == 'nearestDc'
        except Exception:  # noqa: BLE001
            pass
    after = d.rss_kib()
    c.check('300 clients, each with its own MTProto session, all answered', answered == 300, '%d/300' % answered)
    # AddressSanitizer's redzones and quarantine inflate every allocation.
    c.check('... at a modest memory cost per client', (after - before) / 300 < (1024 if asan else 400),
            '%.0f KiB per client (RSS %d -> %d KiB)' % ((after - before) / 300, before, after))
    for cl in idle:
        cl.close()
    good.close()


if __name__ == '__main__':
    main(sys.argv[1])
