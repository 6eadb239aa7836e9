#!/usr/bin/python3
"""Gapless updates: a client sees every message exactly once and in order although the
test DC withholds pushes (skip_updates: a pts gap the daemon fills with updates.getDifference) or
every connection drops while another user keeps sending (the reconnect path).

Run: /usr/bin/python3 tests/daemon/e2e_updates.py PATH/TO/mtjson
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_harness import (Client, contact, history_texts, received, run_with_daemon, sends, texts_of,  # noqa: E402
                            unique_phone, wait_for_texts)  # noqa: E402


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
    send_with_drops(d, a, sends(peer_b, 'drop', n, 5000))
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
    too_long_and_lost_sessions(c, d, a, b, peer_b)
    shared_receiver(c, d, a, pa, ua)
    a.close()
    b.close()


def too_long_and_lost_sessions(c, d, a, b, peer_b):
    """The other two triggers of updates.getDifference ("Working with Updates"): updatesTooLong, and a
    server that lost the session (new_session_created)."""
    d.admin({'too_long_updates': {'count': 1}})
    for k in range(3):
        a.call({'_cons': 'messages.sendMessage', 'peer': peer_b, 'message': 'long %d' % k, 'random_id': 8000 + k})
    got = wait_for_texts(b, 'long', 3, 20)
    c.check('a push replaced by updatesTooLong: the receiver still has all 3, in order, once',
            got == ['long 0', 'long 1', 'long 2'], str(got))
    c.check('... and the updatesTooLong itself is handled by the daemon, not passed on',
            d.logged('fault too_long_updates: updatesTooLong sent') and
            not any(u.get('_cons') == 'updatesTooLong' for u in b.updates), str(b.updates[-5:])[:300])

    forgotten = d.admin({'forget_sessions': {}}).get('forgotten', 0)
    for k in range(3):
        a.call({'_cons': 'messages.sendMessage', 'peer': peer_b, 'message': 'lost %d' % k, 'random_id': 8100 + k})
    b.drain(0.5)
    c.check('the server forgot the sessions (%d): the receiver\'s pushes meanwhile are gone' % forgotten,
            forgotten >= 2 and received(b, 'lost') == [], str(received(b, 'lost')))
    news = len([u for u in b.updates if u.get('_cons') == 'new_session_created'])
    b.call({'_cons': 'users.getUsers', 'id': [{'_cons': 'inputUserSelf'}]})  # the next packet: a new session
    got = wait_for_texts(b, 'lost', 3, 20)
    c.check('... after new_session_created the daemon recovers them: all 3, in order, once',
            got == ['lost 0', 'lost 1', 'lost 2'], str(got))
    c.check('... and passes new_session_created on',
            len([u for u in b.updates if u.get('_cons') == 'new_session_created']) == news + 1)


def send_with_drops(d, client, reqs, also=None):
    """Pipelines reqs in three parts with every DC connection dropped between them (and `also`
    sent to the admin endpoint at the first drop); returns when all are answered."""
    third = (len(reqs) + 2) // 3
    for k in range(3):
        if k:
            time.sleep(0.05)
            d.admin({'drop_connections': {}})
            if also and k == 1:
                d.admin(also)
        client.send_raw(''.join(json.dumps(r) + '\n' for r in reqs[k * third:(k + 1) * third]).encode())
    deadline = time.monotonic() + 60
    while not all(r['id'] in client.answers for r in reqs):
        client.pump_one(deadline)


def shared_receiver(c, d, a, pa, ua):
    """The issue's test: three clients on one named session, the daemon's DC connections killed
    while another user sends 50 messages; every tracked client gets all 50, in order, once."""
    tracked = [Client(d.port) for _ in range(3)]
    for cl in tracked:
        cl.request({'session': {'name': 'carol'}})
    pc = unique_phone(2, 33)
    uc = tracked[0].sign_in(pc, 'Carol')
    peer_c = contact(a, pc, uc['id'])
    peer_a = contact(tracked[1], pa, ua['id'])
    raw = Client(d.port)
    raw.request({'session': {'name': 'carol'}})
    raw.request({'options': {'raw_updates': True}})
    a.call({'_cons': 'messages.sendMessage', 'peer': peer_c, 'message': 'warm 0', 'random_id': 6999})
    for cl in tracked:
        wait_for_texts(cl, 'warm', 1, 15)

    n = 50
    reqs = sends(peer_c, 'many', n, 7000)
    # The server re-sends what a dropped connection did not deliver (the MTProto session
    # survives), so pushes are also withheld: those only updates.getDifference brings back.
    send_with_drops(d, a, reqs, also={'skip_updates': {'count': 5}})
    c.check('50 sends with the DC connections killed twice: each answered once',
            all(len(a.answers[r['id']]) == 1 and 'message' in a.answers[r['id']][0] for r in reqs),
            str([a.answers[r['id']] for r in reqs if len(a.answers[r['id']]) != 1 or
                 'message' not in a.answers[r['id']][0]])[:300])
    truth = [t for t in history_texts(tracked[0], peer_a) if t.startswith('many ')]
    c.check('... the server has each once', sorted(truth) == sorted('many %d' % k for k in range(n)), str(truth))
    for k, cl in enumerate(tracked):
        got = wait_for_texts(cl, 'many', n, 30)
        c.check('attached client %d of 3 has all %d, in the server\'s order, none twice' % (k + 1, n),
                got == truth, 'got %d: %s' % (len(got), got))
    seqs = [[line['seq'] for line in cl.update_lines] for cl in tracked]
    c.check('... every line numbered, the same numbering on each client, strictly increasing',
            seqs[0] == seqs[1] == seqs[2] and seqs[0] == sorted(set(seqs[0])), str(seqs)[:300])
    raw.drain(1.0)
    raw_got = received(raw, 'many')
    # The raw member gets only what was pushed: not the withheld ones, nor those sent while the
    # daemon was reconnecting (the tracked members' copies of those came from getDifference).
    c.check('a raw_updates member of the session: no numbered lines, nothing twice, only what the server '
            'pushed (some are missing)',
            all('seq' not in line for line in raw.update_lines) and len(raw_got) == len(set(raw_got)) and
            set(raw_got) <= set(truth) and len(raw_got) < n, 'raw got %d: %s' % (len(raw_got), raw_got))
    for cl in tracked + [raw]:
        cl.close()


if __name__ == '__main__':
    main(sys.argv[1])
