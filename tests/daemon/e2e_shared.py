#!/usr/bin/python3
"""Named shared sessions end to end: three clients on one named session (pipelined
requests answered to the right client, every update to every client once, with a growing seq),
re-attach with "since" after all left, a daemon restart with --session-dir (no new sign-in),
the session directory lock, and access control (--token, limited tokens, non-loopback refusal).

Run: /usr/bin/python3 tests/daemon/e2e_shared.py PATH/TO/mtjson
"""
import json
import os
import shutil
import stat
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_harness import (Checks, Client, Daemon, free_port_block, peer_of, startup_failure,  # noqa: E402
                            stop_and_check, text_of, unique_phone)

SELF = {'_cons': 'users.getUsers', 'id': [{'_cons': 'inputUserSelf'}]}
NEAREST = {'_cons': 'help.getNearestDc'}


def texts_with_seq(client):
    return [(line.get('seq'), text_of(line['message'])) for line in client.update_lines if text_of(line['message'])]


def main(exe):
    c = Checks()
    work = tempfile.mkdtemp(prefix='mtjson-e2e-shared-')
    try:
        shared_sessions(c, exe, work)
        access(c, exe)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    c.finish()


def attach(client, name, **extra):
    return client.request({'session': dict({'name': name}, **extra)})


def shared_sessions(c, exe, work):
    sessions = os.path.join(work, 'sessions')
    tdc = os.path.join(work, 'testdc')
    port = free_port_block(3)
    flags = ('--session-dir', sessions, '--testdc-data', tdc, '--testdc-port', str(port))
    d = Daemon(exe, *flags)
    state = {}
    try:
        run_first_daemon(c, d, state)
        # --- two daemons on one session dir ---
        rc, err = startup_failure(exe, '--port', '0', '--session-dir', sessions)
        c.check('a second daemon on the same --session-dir refuses to start', rc == 1, 'exit %s' % rc)
        c.check('... naming the directory and the daemon holding it',
                sessions in err and ('pid %d' % d.proc.pid) in err, err.strip()[-300:])
    finally:
        stop_and_check(c, d, 'first daemon')
    if 'user' not in state:
        return

    path = os.path.join(sessions, 'alice.json')
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
        with open(path) as f:
            saved = json.load(f)
    except (OSError, ValueError) as e:
        c.check('the session file exists and is JSON', False, repr(e))
        return
    c.check('the session file is mode 0600', mode == 0o600, oct(mode))
    c.check('... versioned, with the home DC key, the user and the exact last seq',
            saved.get('version') == 1 and saved.get('name') == 'alice' and
            str(saved.get('home_dc')) in saved.get('dcs', {}) and saved.get('user_id') == state['user']['id'] and
            saved.get('seq') == state['last_seq'],
            json.dumps({k: v for k, v in saved.items() if k != 'dcs'})[:300])
    us = saved.get('update_state', {})
    state['saved_pts'] = us.get('pts', -1) if isinstance(us, dict) else -1
    c.check('... with the account\'s update state (pts etc.), to resume with getDifference',
            isinstance(us, dict) and us.get('pts', 0) >= 1 and us.get('date', 0) > 0, json.dumps(us))
    c.check('... no temp files left behind', not any(n.endswith('.tmp') for n in os.listdir(sessions)),
            str(os.listdir(sessions)))
    ring_path = os.path.join(sessions, 'alice.updates.jsonl')
    try:
        with open(ring_path) as f:
            ring = [json.loads(line) for line in f]
        ring_mode = stat.S_IMODE(os.stat(ring_path).st_mode)
    except (OSError, ValueError) as e:
        ring, ring_mode = [], 0
        c.check('the update ring is saved beside the session file', False, repr(e))
    c.check('the update ring is saved beside the session file, mode 0600, ending at the session\'s seq',
            ring_mode == 0o600 and ring and ring[0].get('last_seq') == state['last_seq'] and
            ring[-1].get('seq') == state['last_seq'], '%o %s' % (ring_mode, str(ring[:1])[:200]))

    # --- restart: the named sessions come back from the files ---
    d2 = Daemon(exe, *flags)
    try:
        run_restarted_daemon(c, d2, state)
    finally:
        stop_and_check(c, d2, 'restarted daemon')


def run_first_daemon(c, d, state):
    c1, c2, c3 = Client(d.port), Client(d.port), Client(d.port)
    a1 = attach(c1, 'alice')
    s1 = a1.get('session', {})
    c.check('attach to a new named session', s1.get('name') == 'alice' and s1.get('seq') == 0 and
            s1.get('clients') == 1, str(a1)[:300])
    phone = unique_phone(2, 31)
    user = c1.sign_in(phone, 'Alice')
    state['user'] = user
    for cl in (c2, c3):
        a = attach(cl, 'alice')
    s3 = a.get('session', {})
    c.check('two more clients attach; they see the signed-in account',
            s3.get('clients') == 3 and s3.get('user_id') == user['id'], str(s3)[:300])
    c.check('... and, on loopback without --token, its auth_key', 'auth_key' in s3)

    # --- interleaved pipelined requests: the same ids on every client ---
    ids = list(range(500, 530))
    for i in ids:
        for k, cl in enumerate((c1, c2, c3)):
            # Each client asks something else for a given id, so a misrouted answer shows.
            method = SELF if (i + k) % 2 == 0 else NEAREST
            cl.send({'id': i, 'message': method})
    ok = True
    detail = ''
    for k, cl in enumerate((c1, c2, c3)):
        for i in ids:
            try:
                line = cl.wait(i, timeout=30)
            except Exception as e:  # noqa: BLE001
                ok, detail = False, 'client %d id %d: %r' % (k + 1, i, e)
                break
            msg = line.get('message')
            want_list = (i + k) % 2 == 0
            if want_list != isinstance(msg, list) or (not want_list and msg.get('_cons') != 'nearestDc'):
                ok, detail = False, 'client %d id %d got %s' % (k + 1, i, str(line)[:200])
                break
    for cl in (c1, c2, c3):
        cl.drain(0.5)
    dup = [(k, i) for k, cl in enumerate((c1, c2, c3)) for i in ids if len(cl.answers.get(i, [])) != 1]
    c.check('3 clients x 30 pipelined requests with the same ids: each answered once, to the client that asked',
            ok and not dup, detail or str(dup[:5]))

    # --- a message to the account reaches all three exactly once, with a seq ---
    bob = Client(d.port)
    attach(bob, 'bob')
    pb = unique_phone(2, 32)
    bob.sign_in(pb, 'Bob')
    imported = bob.call({'_cons': 'contacts.importContacts', 'contacts': [
        {'_cons': 'inputPhoneContact', 'client_id': 1, 'phone': phone, 'first_name': 'Alice', 'last_name': ''}]})
    peer_alice = peer_of(imported.get('users', []), user['id'])
    state['peer_alice'] = peer_alice
    c.check('another user finds the account', peer_alice is not None, str(imported)[:200])
    bob.call({'_cons': 'messages.sendMessage', 'peer': peer_alice, 'message': 'hello shared', 'random_id': 91001})
    got = []
    for cl in (c1, c2, c3):
        try:
            cl.wait_update(lambda u: text_of(u) == 'hello shared', timeout=10)
        except Exception:  # noqa: BLE001
            pass
        cl.drain(1.0)
        got.append([s for s, t in texts_with_seq(cl) if t == 'hello shared'])
    c.check('the message reaches all three clients exactly once', all(len(g) == 1 for g in got), str(got))
    c.check('... with the same seq on each', len({g[0] for g in got if g}) == 1 and all(g and g[0] for g in got),
            str(got))
    seqs_ok = True
    for cl in (c1, c2, c3):
        seqs = [line.get('seq') for line in cl.update_lines]
        if any(s is None for s in seqs) or seqs != sorted(seqs) or len(set(seqs)) != len(seqs):
            seqs_ok = False
    c.check('every update line of a named session has a strictly increasing seq', seqs_ok,
            str([[line.get('seq') for line in cl.update_lines] for cl in (c1, c2, c3)]))
    last = max(line['seq'] for line in c1.update_lines)

    # --- everyone leaves; messages come; a client re-attaches with since ---
    for cl in (c1, c2, c3):
        cl.close()
    time.sleep(0.3)
    for n in range(3):
        bob.call({'_cons': 'messages.sendMessage', 'peer': peer_alice, 'message': 'while away %d' % n,
                  'random_id': 91100 + n})
    time.sleep(1.5)  # the updates reach the daemon's session (nobody attached)
    c4 = Client(d.port)
    back = attach(c4, 'alice', since=last)
    before_answer = len(c4.update_lines)
    c4.drain(1.0)
    replayed = [(s, t) for s, t in texts_with_seq(c4)]
    c.check('re-attach with since: nothing reported missed', back.get('session', {}).get('missed') is None,
            str(back)[:300])
    c.check('... the 3 missed messages replayed in order with seq > since',
            [t for s, t in replayed] == ['while away 0', 'while away 1', 'while away 2'] and
            all(s > last for s, _ in replayed) and [s for s, _ in replayed] == sorted(s for s, _ in replayed),
            str(replayed))
    c.check('... the replay comes right after the attach answer', before_answer == 0 and len(c4.update_lines) >= 3,
            '%d update lines before the answer' % before_answer)
    state['last_seq'] = back.get('session', {}).get('seq')
    c.check('... the answer carries the last seq', state['last_seq'] == max(s for s, _ in replayed) if replayed else False,
            str(back.get('session', {}).get('seq')))
    dup = attach(c4, 'alice', since=last)
    c4.drain(0.5)
    c.check('attaching again with since replays again (nothing twice otherwise)',
            len([t for s, t in texts_with_seq(c4) if t == 'while away 1']) == 2, str(texts_with_seq(c4)))

    # --- errors ---
    bad = c4.request({'session': {'name': 'no/slash'}})
    c.check('a bad session name is refused, naming the rule', bad.get('error') == 'session' and
            'session.name' in bad.get('msg', ''), str(bad))
    other_key = c4.request({'session': {'name': 'alice', 'auth_key': 'A' * 342 + '=='}})
    c.check('another auth_key for an existing named session is refused', other_key.get('error') == 'session' and
            'another auth key' in other_key.get('msg', ''), str(other_key)[:300])
    bad_opt = c4.request({'options': {'gapless': False}})
    c.check('an unknown option is refused', bad_opt.get('error') == 'request' and 'gapless' in bad_opt.get('msg', ''),
            str(bad_opt))

    # --- raw_updates on a named session: the server's originals, unnumbered, once ---
    c6 = Client(d.port)
    attach(c6, 'alice')
    opts = c4.request({'options': {'raw_updates': True}})
    c.check('options.raw_updates accepted and echoed', opts.get('options') == {'raw_updates': True}, str(opts))
    raw_from = len(c4.update_lines)
    bob.call({'_cons': 'messages.sendMessage', 'peer': peer_alice, 'message': 'raw check', 'random_id': 91150})
    for cl in (c4, c6):
        try:
            cl.wait_update(lambda u: text_of(u) == 'raw check', timeout=10)
        except Exception:  # noqa: BLE001
            pass
        cl.drain(1.0)
    raw_lines = [line for line in c4.update_lines[raw_from:] if text_of(line['message']) == 'raw check']
    tracked = [s for s, t in texts_with_seq(c6) if t == 'raw check']
    c.check('a raw_updates member gets the message once, without seq (not the numbered stream)',
            len(raw_lines) == 1 and 'seq' not in raw_lines[0], str(raw_lines)[:300])
    c.check('... while a tracked member of the same session gets it once, numbered',
            len(tracked) == 1 and tracked[0], str(tracked))
    c.check('... and the raw member gets no numbered line at all',
            all('seq' not in line for line in c4.update_lines[raw_from:]),
            str([line.get('seq') for line in c4.update_lines[raw_from:]]))
    c6.drain(0.5)
    last_seen = max(line['seq'] for line in c6.update_lines)

    # --- everyone leaves again; messages come that only the ring holds when the daemon stops ---
    c4.close()
    c6.close()
    time.sleep(0.3)
    for n in range(2):
        bob.call({'_cons': 'messages.sendMessage', 'peer': peer_alice, 'message': 'before restart %d' % n,
                  'random_id': 91160 + n})
    time.sleep(1.5)
    state['away_since'] = last_seen
    # The exact last seq at shutdown, as a client attaching now is told.
    probe = Client(d.port)
    state['last_seq'] = attach(probe, 'alice').get('session', {}).get('seq')
    probe.close()
    bob.close()


def run_restarted_daemon(c, d, state):
    user = state['user']
    c5 = Client(d.port)
    back = attach(c5, 'alice', since=state['last_seq'])
    s = back.get('session', {})
    c.check('after a restart the named session is loaded from its file',
            s.get('user_id') == user['id'] and s.get('seq') == state['last_seq'] and not s.get('missed'), str(s)[:300])
    me = c5.call(SELF)
    c.check('... and works without signing in again (users.getUsers inputUserSelf)',
            isinstance(me, list) and me and me[0].get('id') == user['id'], str(me)[:200])
    c.check('... resuming its updates from the saved state (getDifference, not getState)',
            d.logged('resuming from the saved state (pts %d)' % state.get('saved_pts', -1)),
            '\n'.join(l for l in d.log if 'updates:' in l or 'update_state' in l))
    older = Client(d.port)
    gap = attach(older, 'alice', since=state['away_since'])
    older.drain(1.0)
    got = texts_with_seq(older)
    c.check('since from before the restart: what the client missed before the daemon stopped, in order, once',
            not gap.get('session', {}).get('missed') and
            [t for _, t in got] == ['before restart 0', 'before restart 1'] and
            [s for s, _ in got] == [state['away_since'] + 1, state['away_since'] + 2], str(got)[:300])
    everything = Client(d.port)
    attach(everything, 'alice', since=0)
    everything.drain(1.0)
    texts = [t for _, t in texts_with_seq(everything)]
    c.check('since 0 after the restart: the whole ring, from the first message on',
            texts[:1] == ['hello shared'] and texts.count('raw check') == 1 and texts[-2:] == [
                'before restart 0', 'before restart 1'], str(texts)[:300])
    foreign = attach(Client(d.port), 'alice', since=state['last_seq'] + 100)
    c.check('a since this session never gave out is reported missed',
            foreign.get('session', {}).get('missed') is True, str(foreign)[:300])
    bob = Client(d.port)
    attach(bob, 'bob')
    bob.call({'_cons': 'messages.sendMessage', 'peer': state['peer_alice'], 'message': 'after restart',
              'random_id': 91200})
    try:
        u = c5.wait_update(lambda u: text_of(u) == 'after restart', timeout=10)
        line = [l for l in c5.update_lines if l['message'] is u][0]
        c.check('new updates after the restart continue the numbering', line.get('seq', 0) > state['last_seq'],
                str(line.get('seq')))
    except Exception as e:  # noqa: BLE001
        c.check('new updates after the restart continue the numbering', False, repr(e))
    for cl in (c5, older, bob):
        cl.close()


def access(c, exe):
    # --- non-loopback listening ---
    rc, err = startup_failure(exe, '--host', '0.0.0.0', '--port', '0')
    c.check('a non-loopback --host without --token is refused at startup', rc == 1 and '--token' in err and
            '--insecure' in err, err.strip()[-300:])
    d = Daemon(exe, '--host', '0.0.0.0', '--insecure')
    try:
        cl = Client(d.port)
        r = cl.call(NEAREST)
        c.check('... and allowed with --insecure', r.get('_cons') == 'nearestDc', str(r)[:200])
        cl.close()
    finally:
        d.stop()

    # --- tokens ---
    full, limited = 'full-token-0123456789', 'alice-only-token-42'
    d = Daemon(exe, '--token', full, '--token', limited + ':alice', '--session-idle-timeout', '1')
    try:
        cl = Client(d.port)
        r = cl.request({'session': {}})
        c.check('before auth: a session get is refused with kind auth and no data',
                r.get('error') == 'auth' and 'session' not in r, str(r))
        r = cl.request({'message': NEAREST})
        c.check('before auth: a message is refused with kind auth', r.get('error') == 'auth' and 'message' not in r,
                str(r))
        r = cl.request({'auth': {'token': 'wrong-token-xyz'}, 'session': {'name': 'alice'}})
        c.check('a wrong token: error auth, no session data', r.get('error') == 'auth' and 'session' not in r, str(r))
        r = cl.request({'auth': {'token': full}})
        c.check('the right token: {"auth":{"ok":true}}', r.get('auth', {}).get('ok') is True, str(r))
        r = cl.call(NEAREST)
        c.check('... then calls work', r.get('_cons') == 'nearestDc', str(r)[:200])
        s = cl.request({'session': {}}).get('session', {})
        c.check('... and a full token sees its session key', 'auth_key' in s, str(list(s)))
        a = attach(cl, 'carol').get('session', {})
        c.check('... and may attach to any name', a.get('name') == 'carol', str(a)[:200])
        cl.close()

        lim = Client(d.port)
        r = lim.request({'auth': {'token': limited}})
        c.check('a limited token authenticates, listing its sessions',
                r.get('auth', {}).get('ok') is True and r['auth'].get('sessions') == ['alice'], str(r))
        r = attach(lim, 'carol')
        c.check('... may not attach to another name', r.get('error') == 'auth' and 'carol' in r.get('msg', ''), str(r))
        r = lim.request({'message': NEAREST})
        c.check('... may not use an unnamed session', r.get('error') == 'auth', str(r))
        r = lim.request({'session': {}})
        c.check('... nor get an unnamed session', r.get('error') == 'auth' and 'session' not in r, str(r))
        r = attach(lim, 'alice')
        s = r.get('session', {})
        c.check('... attaches to its own name, without auth_key in the answer',
                s.get('name') == 'alice' and 'auth_key' not in s and 'server_salt' not in s, str(r)[:300])
        r = lim.call(NEAREST)
        c.check('... and calls through it', r.get('_cons') == 'nearestDc', str(r)[:200])
        lim.close()

        brute = Client(d.port)
        lines = [brute.request({'id': 10 + n, 'auth': {'token': 'guess-%d-abcdef' % n}}) for n in range(3)]
        closed = False
        try:
            brute.request({'auth': {'token': full}}, timeout=5)
        except (ConnectionError, OSError, TimeoutError):
            closed = True
        c.check('3 wrong tokens close the connection', closed and all(l.get('error') == 'auth' for l in lines),
                str(lines))
        time.sleep(2.5)
        c.check('a named session without clients closes after --session-idle-timeout',
                d.logged("session 'alice': no client for --session-idle-timeout"), '\n'.join(d.log[-5:]))
        c.check('tokens never appear in the log', not any(full in l or limited in l for l in d.log))
    finally:
        stop_and_check(c, d, 'token daemon')


if __name__ == '__main__':
    main(sys.argv[1])
