#!/usr/bin/python3
"""The daemon survives what Telegram and networks do: connections dropped mid-flight (every request
answered exactly once, no message sent twice: the recipient's history is checked), connections
that die after N packets, server salt rotation, a server clock 10 minutes ahead or behind, and a
server that forgets the auth key.

Run: /usr/bin/python3 tests/daemon/e2e_resilience.py PATH/TO/mtjson
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_harness import (Client, contact, history_texts, pipeline, run_with_daemon, sends, unique_phone)  # noqa: E402


def main(exe):
    run_with_daemon(exe, run)


def check_exactly_once(c, name, answers, texts, tag, n):
    bad = {i: ls for i, ls in answers.items() if len(ls) != 1}
    c.check(name + ': every request answered exactly once', not bad, str(bad)[:300])
    kinds = {}
    for ls in answers.values():
        m = ls[0].get('message', {})
        k = m.get('_cons') if 'message' in ls[0] else ls[0].get('error')
        kinds[k] = kinds.get(k, 0) + 1
    c.check(name + ': all sent (no error)', set(kinds) <= {'updateShortSentMessage', 'updates'}, str(kinds))
    counts = [texts.count('%s %d' % (tag, k)) for k in range(n)]
    c.check(name + ': the recipient has each message exactly once', counts == [1] * n,
            'counts %s' % {k: v for k, v in enumerate(counts) if v != 1})


def run(c, d):
    pa, pb = unique_phone(2, 21), unique_phone(2, 22)
    a, b = Client(d.port), Client(d.port)
    ua = a.sign_in(pa, 'Sender')
    ub = b.sign_in(pb, 'Receiver')
    peer_b = contact(a, pb, ub['id'])
    peer_a = contact(b, pa, ua['id'])

    # --- drop every connection while 40 sends are in flight (answers held 300 ms) ---
    d.admin({'delay': {'ms': 300}})
    reqs = sends(peer_b, 'drop', 40, 10000)
    a.send_raw(''.join(json.dumps(r) + '\n' for r in reqs).encode())
    time.sleep(0.15)
    d.admin({'drop_connections': {}})
    time.sleep(0.1)
    d.admin({'delay': {'ms': 0}})
    deadline = time.monotonic() + 60
    try:
        while not all(r['id'] in a.answers for r in reqs):
            a.pump_one(deadline)
        a.drain(1.5)
    except Exception as e:  # noqa: BLE001
        c.check('dropped mid-flight: answered', False, repr(e))
    answers = {r['id']: a.answers.get(r['id'], []) for r in reqs}
    check_exactly_once(c, 'connection dropped mid-flight', answers, history_texts(b, peer_a), 'drop', 40)
    c.check('... the daemon noticed and reconnected', d.logged('reconnect') or d.logged('connection lost'),
            '\n'.join(l for l in d.log[-15:]))

    # --- every connection dies after 7 packets, 60 sends pipelined ---
    d.admin({'drop_after': {'messages': 7}})
    answers = pipeline(a, sends(peer_b, 'flaky', 60, 20000), timeout=90)
    d.admin({'drop_after': None})
    check_exactly_once(c, 'connections dying every 7 packets', answers, history_texts(b, peer_a), 'flaky', 60)

    # --- salt rotation every second while requests keep coming ---
    d.admin({'rotate_salt': {'every': 1}})
    ok = 0
    t_end = time.monotonic() + 3.5
    n = 0
    while time.monotonic() < t_end:
        r = a.call({'_cons': 'help.getNearestDc'})
        n += 1
        ok += r.get('_cons') == 'nearestDc'
        time.sleep(0.05)
    d.admin({'rotate_salt': {'every': 0}})
    c.check('salt rotated every second: every request answered normally', ok == n and n > 10, '%d/%d' % (ok, n))

    # --- the server's clock 10 minutes ahead, then behind: new and existing sessions work ---
    for skew in (600, -600):
        d.admin({'clock_skew': {'seconds': skew}})
        fresh = Client(d.port)
        r = fresh.call({'_cons': 'help.getNearestDc'}, timeout=30)
        c.check('clock skew %+d s: a new session works' % skew, r.get('_cons') == 'nearestDc', str(r))
        r = a.call({'_cons': 'users.getUsers', 'id': [{'_cons': 'inputUserSelf'}]}, timeout=30)
        c.check('clock skew %+d s: an existing session works' % skew, isinstance(r, list) and r and r[0]['id'] == ua['id'],
                str(r)[:200])
        fresh.close()
    d.admin({'clock_skew': {'seconds': 0}})

    # --- the server forgets every auth key: a new key, a clear 401, exactly one answer ---
    d.admin({'destroy_keys': {}})
    line = a.request({'message': {'_cons': 'users.getUsers', 'id': [{'_cons': 'inputUserSelf'}]}}, timeout=30)
    m = line.get('message', {})
    c.check('auth key destroyed by the server: answered with 401 AUTH_KEY_UNREGISTERED (sign in again)',
            isinstance(m, dict) and m.get('error_code') == 401, str(line)[:200])
    r = a.call({'_cons': 'help.getNearestDc'})
    c.check('... and the client goes on with a new key', r.get('_cons') == 'nearestDc', str(r))
    s = a.request({'session': {}}).get('session', {})
    c.check('... the session no longer claims a user', 'user_id' not in s, str(s.get('user_id')))
    for cl in (a, b):
        cl.close()


if __name__ == '__main__':
    main(sys.argv[1])
