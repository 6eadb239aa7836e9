#!/usr/bin/python3
"""Gapless updates (issue 7): a client sees every message exactly once and in order although the
test DC withholds pushes (skip_updates: a pts gap the daemon fills with updates.getDifference) or
every connection drops while another user keeps sending (the reconnect path).

Run: /usr/bin/python3 tests/daemon/e2e_updates.py PATH/TO/mtjson
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_harness import (Client, contact, history_texts, received, run_with_daemon, texts_of, unique_phone, wait_for_texts)  # noqa: E402


def main(exe):
    run_with_daemon(exe, run)


def run(c, d):
    pa, pb = unique_phone(2, 31), unique_phone(2, 32)
    a, b = Client(d.port), Client(d.port)
    ua = a.sign_in(pa, 'Sender')
    ub = b.sign_in(pb, 'Receiver')
    peer_b = contact(a, pb, ub['id'])
    peer_a = contact(b, pa, ua['id'])

    # A first message: the receiver's tracker has its state by now and the dialog exists.
    a.call({'_cons': 'messages.sendMessage', 'peer': peer_b, 'message': 'hello 0', 'random_id': 1})
    got = wait_for_texts(b, 'hello', 1, 15)
    c.check('a message reaches the receiver once', got == ['hello 0'], str(got))

    # --- the test DC withholds the next 3 pushes: a pts gap, filled by getDifference ---
    d.admin({'skip_updates': {'count': 3}})
    n = 10
    for k in range(n):
        r = a.call({'_cons': 'messages.sendMessage', 'peer': peer_b, 'message': 'skip %d' % k,
                    'random_id': 1000 + k})
        assert r.get('_cons') in ('updateShortSentMessage', 'updates'), r
    got = wait_for_texts(b, 'skip', n, 20)
    want = ['skip %d' % k for k in range(n)]
    c.check('3 pushes withheld: the receiver still has all %d, in order, none twice' % n, got == want, str(got))
    recovered = [t for u in b.updates if u.get('_cons') == 'updates'
                 for x in u.get('updates', []) if x.get('_cons') == 'updateNewMessage' and x.get('pts') == 0
                 for t in texts_of({'_cons': 'updates', 'updates': [x]})]
    c.check('... the withheld ones came from updates.getDifference', set(want[:3]) <= set(recovered),
            'recovered %s; test DC: %s' % (recovered, [l for l in d.log if 'skip_updates' in l][-4:]))

    # --- every connection dropped while the other user keeps sending ---
    n = 30
    reqs = [{'id': 5000 + k, 'message': {'_cons': 'messages.sendMessage', 'peer': peer_b,
                                         'message': 'drop %d' % k, 'random_id': 5000 + k}} for k in range(n)]
    a.send_raw(''.join(json.dumps(r) + '\n' for r in reqs[:10]).encode())
    time.sleep(0.05)
    d.admin({'drop_connections': {}})
    a.send_raw(''.join(json.dumps(r) + '\n' for r in reqs[10:20]).encode())
    time.sleep(0.05)
    d.admin({'drop_connections': {}})
    a.send_raw(''.join(json.dumps(r) + '\n' for r in reqs[20:]).encode())
    deadline = time.monotonic() + 60
    while not all(r['id'] in a.answers for r in reqs):
        a.pump_one(deadline)
    got = wait_for_texts(b, 'drop', n, 30)
    truth = [t for t in history_texts(b, peer_a) if t.startswith('drop ')]
    c.check('connections dropped during %d sends: the server has each once' % n, sorted(truth) == sorted(
        'drop %d' % k for k in range(n)), str(truth))
    c.check('... and the receiver got each exactly once, in the server\'s order', got == truth,
            'got %s\nserver %s' % (got, truth))

    # --- a quiet reconnect loses nothing and repeats nothing ---
    before = len(b.updates)
    d.admin({'drop_connections': {}})
    a.call({'_cons': 'messages.sendMessage', 'peer': peer_b, 'message': 'after 0', 'random_id': 9000})
    got = wait_for_texts(b, 'after', 1, 20)
    c.check('after a reconnect: the next message once', got == ['after 0'], str(got))
    counts = (len(received(b, 'hello')), len(received(b, 'skip')), len(received(b, 'drop')))
    c.check('... and nothing old again', counts == (1, 10, n), 'hello/skip/drop counts %s, %d new lines' %
            (counts, len(b.updates) - before))
    a.close()
    b.close()


if __name__ == '__main__':
    main(sys.argv[1])
