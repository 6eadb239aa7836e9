#!/usr/bin/python3
"""Accounts through the daemon end to end: sign-in, two clients messaging each other with updates
on id 0, the @echo bot, DC migrations (PHONE_MIGRATE, USER_MIGRATE with authorization transfer,
FILE_MIGRATE for one request) and FLOOD_WAIT under and over --flood-sleep-threshold.

Run: /usr/bin/python3 tests/daemon/e2e_messaging.py PATH/TO/mtjson
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_harness import Client, peer_of, run_with_daemon, text_of, unique_phone  # noqa: E402

SELF = {'_cons': 'users.getUsers', 'id': [{'_cons': 'inputUserSelf'}]}


def main(exe):
    run_with_daemon(exe, run, '--flood-sleep-threshold', '3')


def run(c, d):
    # --- two users on DC 2 ---
    pa, pb = unique_phone(2, 11), unique_phone(2, 12)
    a, b = Client(d.port), Client(d.port)
    ua = a.sign_in(pa, 'Alice')
    ub = b.sign_in(pb, 'Bob')
    c.check('two clients sign in as two users', ua['id'] != ub['id'], '%s %s' % (ua['id'], ub['id']))

    imported = a.call({'_cons': 'contacts.importContacts', 'contacts': [
        {'_cons': 'inputPhoneContact', 'client_id': 1, 'phone': pb, 'first_name': 'Bob', 'last_name': ''}]})
    peer_b = peer_of(imported.get('users', []), ub['id'])
    c.check('contacts.importContacts finds the other user', peer_b is not None, str(imported)[:300])

    sent = a.call({'_cons': 'messages.sendMessage', 'peer': peer_b, 'message': 'hello Bob', 'random_id': 4242})
    c.check('messages.sendMessage answered', sent.get('_cons') in ('updateShortSentMessage', 'updates'), str(sent)[:200])
    try:
        got = b.wait_update(lambda u: text_of(u) == 'hello Bob', timeout=10)
        c.check('the recipient gets the message as an id 0 update', True, got.get('_cons'))
    except Exception as e:  # noqa: BLE001
        c.check('the recipient gets the message as an id 0 update', False, repr(e) + ' ' + str(b.updates)[:300])
    again = a.call({'_cons': 'messages.sendMessage', 'peer': peer_b, 'message': 'hello Bob', 'random_id': 4242})
    c.check('the same random_id is not sent twice', again.get('_cons') in ('updateShortSentMessage', 'updates')
            or again.get('error_message') == 'RANDOM_ID_DUPLICATE', str(again)[:200])
    back = b.call({'_cons': 'contacts.importContacts', 'contacts': [
        {'_cons': 'inputPhoneContact', 'client_id': 1, 'phone': pa, 'first_name': 'Alice', 'last_name': ''}]})
    peer_a = peer_of(back.get('users', []), ua['id'])
    hist = b.call({'_cons': 'messages.getHistory', 'peer': peer_a, 'offset_id': 0, 'offset_date': 0, 'add_offset': 0, 'limit': 50, 'max_id': 0,
                   'min_id': 0, 'hash': 0})
    texts = [m.get('message') for m in hist.get('messages', [])]
    c.check('the recipient\'s history holds the message once', texts.count('hello Bob') == 1, str(texts)[:200])

    # --- @echo answers ---
    resolved = a.call({'_cons': 'contacts.resolveUsername', 'username': 'echo'})
    users = resolved.get('users', [])
    c.check('@echo resolves', len(users) == 1, str(resolved)[:200])
    if users:
        echo = {'_cons': 'inputPeerUser', 'user_id': users[0]['id'], 'access_hash': users[0]['access_hash']}
        a.call({'_cons': 'messages.sendMessage', 'peer': echo, 'message': 'ping echo', 'random_id': 777001})
        try:
            u = a.wait_update(lambda u: text_of(u) == 'ping echo' and u.get('user_id', users[0]['id']) == users[0]['id']
                              and not u.get('out'), timeout=10)
            c.check('@echo answers with the same text (an update on id 0)', True, u.get('_cons'))
        except Exception as e:  # noqa: BLE001
            c.check('@echo answers with the same text (an update on id 0)', False, repr(e))

    # --- PHONE_MIGRATE: a DC 1 number signs in through the DC 2 default ---
    m = Client(d.port)
    pm = unique_phone(1, 13)
    um = m.sign_in(pm, 'Migrant')
    s = m.request({'session': {}}).get('session', {})
    c.check('PHONE_MIGRATE_1: signed in transparently, session on DC 1', s.get('dc') == 1 and s.get('user_id') == um['id'],
            str({k: v for k, v in s.items() if k not in ('auth_key', 'server')}))
    me = m.call(SELF)
    c.check('... and the account works on DC 1', isinstance(me, list) and me and me[0].get('id') == um['id'], str(me)[:200])
    c.check('... the client never saw a *_MIGRATE error', not any('MIGRATE' in str(v) for v in m.answers.values()))

    # --- USER_MIGRATE: the home DC changes; the authorization is transferred ---
    d.admin({'migrate': {'method': 'users.getFullUser', 'error': 'USER_MIGRATE_3', 'count': 1}})
    full = a.call({'_cons': 'users.getFullUser', 'id': {'_cons': 'inputUserSelf'}})
    c.check('USER_MIGRATE_3: retried on DC 3 with the authorization transferred', full.get('_cons') == 'users.userFull',
            str(full)[:200])
    c.check('... the home DC moved to 3 (the test DC then sends it back: the user lives on DC 2)',
            d.logged('home DC 2 -> 3 (USER_MIGRATE_3)'), '\n'.join(l for l in d.log if 'home DC' in l))
    me = a.call(SELF)
    c.check('... still signed in as the same user', isinstance(me, list) and me and me[0].get('id') == ua['id'])

    # --- FILE_MIGRATE: one request runs on another DC, the home stays ---
    d.admin({'migrate': {'method': 'users.getFullUser', 'error': 'FILE_MIGRATE_1', 'count': 1}})
    full = b.call({'_cons': 'users.getFullUser', 'id': {'_cons': 'inputUserSelf'}})
    c.check('FILE_MIGRATE_1: that request answered from DC 1', full.get('_cons') == 'users.userFull', str(full)[:200])
    s = b.request({'session': {}}).get('session', {})
    c.check('... the home DC stays 2', s.get('dc') == 2, str(s.get('dc')))

    # --- FLOOD_WAIT under and over the threshold (3 s here) ---
    d.admin({'flood_wait': {'method': 'help.getNearestDc', 'seconds': 2, 'count': 1}})
    t0 = time.monotonic()
    r = b.call({'_cons': 'help.getNearestDc'})
    took = time.monotonic() - t0
    c.check('FLOOD_WAIT_2 (<= threshold): waited and retried', r.get('_cons') == 'nearestDc' and took >= 1.9,
            '%s after %.2f s' % (r.get('_cons'), took))
    d.admin({'flood_wait': {'method': 'help.getNearestDc', 'seconds': 30, 'count': 1}})
    t0 = time.monotonic()
    r = b.call({'_cons': 'help.getNearestDc'})
    took = time.monotonic() - t0
    c.check('FLOOD_WAIT_30 (> threshold): passed through at once', r.get('error_message') == 'FLOOD_WAIT_30'
            and took < 1.5, '%s after %.2f s' % (r, took))
    stats = d.admin({'stats': {}}).get('stats', {})
    c.check('admin stats readable', isinstance(stats, dict), str(stats)[:200])
    for cl in (a, b, m):
        cl.close()


if __name__ == '__main__':
    main(sys.argv[1])
