#!/usr/bin/python3
"""The daemon's JSON-lines protocol end to end: `mtjson --testdc` on free ports, driven as a client.

Pipelining (1,000 requests with shuffled ids, each answered exactly once), the server/session
objects, session restore on another connection, per-request timeouts (rpc_timeout, never a late
second answer), rpc_error pass-through, MTProto ping, and every kind of malformed line (the
connection stays usable after each).

Run: /usr/bin/python3 tests/daemon/e2e_protocol.py PATH/TO/mtjson
"""
import os
import random
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_harness import Client, run_with_daemon, unique_phone, wrap_init  # noqa: E402


def main(exe):
    run_with_daemon(exe, run, '--max-line', '65536', after=no_key_in_log)


def no_key_in_log(c, d):
    c.check('no auth key in the log', not any('auth_key":"' in l and '<redacted>' not in l for l in d.log))


def run(c, d):
    a = Client(d.port)

    # --- basic call, bare method (the daemon adds invokeWithLayer(initConnection)) ---
    cfg = a.call({'_cons': 'help.getConfig'})
    c.check('bare help.getConfig answered', cfg.get('_cons') == 'config', str(cfg)[:200])
    c.check('config lists the embedded DCs', len(cfg.get('dc_options', [])) == 3)
    news = [u for u in a.updates if u.get('_cons') == 'new_session_created']
    c.check('new_session_created pushed with id 0', len(news) == 1, str(a.updates)[:200])

    # --- id defaults to 1 ---
    a.send({'message': {'_cons': 'help.getNearestDc'}})
    line = a.wait(1)
    c.check('a request without id is answered with id 1', line.get('message', {}).get('_cons') == 'nearestDc', str(line))

    # --- server object ---
    line = a.request({'server': {}})
    srv = line.get('server', {})
    c.check('{"server":{}} returns the current server', srv.get('dc') == 2 and srv.get('host') == '127.0.0.1'
            and 'BEGIN RSA PUBLIC KEY' in srv.get('rsa', ''), str(srv)[:200])
    line = a.request({'server': {'transport': 'carrier-pigeon'}})
    c.check('a bad server field is an error naming it', line.get('error') == 'server'
            and 'server.transport' in line.get('msg', ''), str(line))

    # --- MTProto ping as a query ---
    pong = a.call({'_cons': 'ping', 'ping_id': 777})
    c.check('ping is answered with pong', pong.get('_cons') == 'pong' and pong.get('ping_id') == 777, str(pong))

    # --- rpc_error pass-through ---
    err = a.call({'_cons': 'auth.signIn', 'phone_number': '9996620000', 'phone_code_hash': 'nope', 'phone_code': '1'})
    c.check('Telegram errors come as rpc_error', err.get('_cons') == 'rpc_error' and err.get('error_code') == 400,
            str(err))

    # --- 1,000 pipelined requests with shuffled ids, each answered exactly once ---
    ids = list(range(1000, 2000))
    random.shuffle(ids)
    methods = [{'_cons': 'help.getNearestDc'}, {'_cons': 'help.getConfig'}, {'_cons': 'ping', 'ping_id': 1}]
    expect = {}
    batch = []
    for n, i in enumerate(ids):
        m = methods[n % 3]
        expect[i] = {'help.getNearestDc': 'nearestDc', 'help.getConfig': 'config', 'ping': 'pong'}[m['_cons']]
        batch.append({'id': i, 'message': m})
    t0 = time.monotonic()
    a.send_raw(''.join(__import__('json').dumps(b) + '\n' for b in batch).encode())
    deadline = time.monotonic() + 60
    try:
        while not all(i in a.answers for i in ids):
            a.pump_one(deadline)
    except Exception as e:  # noqa: BLE001
        c.check('1000 pipelined answered', False, repr(e))
    took = time.monotonic() - t0
    wrong = [i for i in ids if i in a.answers and a.answers[i][0].get('message', {}).get('_cons') != expect[i]]
    missing = [i for i in ids if i not in a.answers]
    c.check('1000 pipelined requests with shuffled ids: all answered', not missing, '%d missing' % len(missing))
    c.check('... each with its own method\'s answer', not wrong, str(wrong[:5]))
    c.check('... within 10 s', took < 10, '%.2f s' % took)
    time.sleep(0.5)
    a.drain(0.3)
    dups = [i for i in ids if len(a.answers.get(i, [])) != 1]
    c.check('... exactly once (no duplicates)', not dups, str(dups[:5]))

    # --- malformed lines; the connection stays usable after each ---
    a.send_raw(b'{"id":5,"message":\n')
    line = a.next_line()
    c.check('malformed JSON: error json with id -2 and where', line.get('id') == -2 and line.get('error') == 'json'
            and 'line' in line.get('msg', ''), str(line))
    a.send_raw(b'[1,2,3]\n')
    line = a.next_line()
    c.check('not an object: error json', line.get('error') == 'json' and line.get('id') == -2, str(line))
    line = a.request({'id': 6, 'message': {'_cons': 'help.getKonfig'}})
    c.check('unknown _cons: error tl with the request id, names it', line.get('id') == 6 and line.get('error') == 'tl'
            and 'help.getKonfig' in line.get('msg', ''), str(line))
    line = a.request({'id': 7, 'message': {'_cons': 'messages.sendMessage', 'peer': {'_cons': 'inputPeerSelf'},
                                           'message': 5, 'random_id': 1}})
    c.check('wrong field type: error tl naming the field path', line.get('error') == 'tl'
            and 'message.message' in line.get('msg', ''), str(line))
    line = a.request({'id': 8, 'message': {'_cons': 'inputPeerSelf'}})
    c.check('a constructor is not a method: error tl', line.get('error') == 'tl' and 'inputPeerSelf' in line.get('msg', ''),
            str(line))
    line = a.request({'id': 9, 'mesage': {'_cons': 'help.getConfig'}})
    c.check('unknown key: error request naming it', line.get('error') == 'request' and 'mesage' in line.get('msg', ''),
            str(line))
    a.send({'id': 'ten', 'message': {'_cons': 'help.getConfig'}})
    line = a.next_line()
    c.check('id not an integer: error request', line.get('error') == 'request' and line.get('id') == -2, str(line))
    line = a.request({'id': 11, 'message': {'_cons': 'help.getConfig'}, 'timeout': -1})
    c.check('bad timeout: error request', line.get('error') == 'request' and 'timeout' in line.get('msg', ''), str(line))
    a.send_raw(b'{"id":12,"message":{"_cons":"help.getConfig","x":"' + b'a' * 70000 + b'"}}\n')
    line = a.next_line()
    c.check('oversized line (> --max-line): error too_long', line.get('error') == 'too_long' and '65536' in line.get('msg', ''),
            str(line)[:300])
    a.send_raw(b'\xff\xfe{"id":13}\n')
    line = a.next_line()
    c.check('invalid UTF-8: error json', line.get('error') == 'json', str(line))
    a.send_raw(b'\n   \n')  # blank lines are ignored
    cfg = a.call({'_cons': 'help.getNearestDc'})
    c.check('the connection still works after all of that', cfg.get('_cons') == 'nearestDc', str(cfg))

    # --- long given as a decimal string ---
    err = a.call({'_cons': 'users.getUsers', 'id': [{'_cons': 'inputUser', 'user_id': '123', 'access_hash': '-5'}]})
    c.check('longs as decimal strings are accepted', err.get('_cons') in ('rpc_error', 'vector') or isinstance(err, list),
            str(err)[:200])

    # --- per-request timeout -> rpc_timeout, exactly once ---
    d.admin({'swallow': {'method': 'help.getNearestDc', 'count': 1}})
    t0 = time.monotonic()
    line = a.request({'id': 20, 'message': {'_cons': 'help.getNearestDc'}, 'timeout': 1.5}, timeout=10)
    took = time.monotonic() - t0
    c.check('no answer within "timeout": rpc_timeout', line.get('message') == {'_cons': 'rpc_timeout'}, str(line))
    c.check('... after the timeout, not before', 1.4 <= took < 5, '%.2f s' % took)
    ok = a.call({'_cons': 'help.getNearestDc'})
    a.drain(1.0)
    c.check('... and no late second answer', len(a.answers.get(20, [])) == 1 and ok.get('_cons') == 'nearestDc')

    # --- session: sign in, read it back, restore it on another connection ---
    phone = unique_phone(2, 1)
    user = a.sign_in(phone)
    line = a.request({'session': {}})
    s = line.get('session', {})
    c.check('{"session":{}} returns auth_key, dc, user_id', len(s.get('auth_key', '')) > 300 and s.get('dc') == 2
            and s.get('user_id') == user['id'], str({k: v for k, v in s.items() if k != 'auth_key'})[:200])
    b = Client(d.port)
    line = b.request({'session': s})
    c.check('another client sets the session', line.get('session', {}).get('user_id') == user['id'], str(line)[:200])
    me = b.call({'_cons': 'users.getUsers', 'id': [{'_cons': 'inputUserSelf'}]})
    c.check('... and is signed in as the same user', isinstance(me, list) and me and me[0].get('id') == user['id'],
            str(me)[:200])
    line = b.request({'session': {'auth_key': 'not base64!!', 'dc': 2}})
    c.check('a bad session is an error naming the field', line.get('error') == 'session' and 'auth_key' in line.get('msg', ''),
            str(line))
    me = b.call({'_cons': 'users.getUsers', 'id': [{'_cons': 'inputUserSelf'}]})
    c.check('... and leaves the session as it was', isinstance(me, list) and me and me[0].get('id') == user['id'])

    # --- every transport, plain and obfuscated2 ---
    for transport in ('abridged', 'intermediate', 'padded', 'full'):
        for obfuscated in (False, True):
            t = Client(d.port)
            if transport == 'full' and obfuscated:
                line = t.request({'server': {'transport': transport, 'obfuscated': True}})
                c.check('full + obfuscated2 is refused (no such transport)', line.get('error') == 'server'
                        and 'obfuscated' in line.get('msg', ''), str(line))
                continue
            line = t.request({'server': {'transport': transport, 'obfuscated': obfuscated},
                              'message': {'_cons': 'help.getNearestDc'}})
            c.check('transport %s%s works' % (transport, ' + obfuscated2' if obfuscated else ''),
                    line.get('message', {}).get('_cons') == 'nearestDc'
                    and line.get('server', {}).get('transport') == transport, str(line)[:200])
            t.close()

    # --- a client that half-closes after writing (echo ... | nc -N) gets every answer, then EOF ---
    h = Client(d.port)
    h.send_raw(b'{"id":1,"message":{"_cons":"help.getNearestDc"}}\n{"id":2,"server":{}}\n'
               b'{"id":3,"message":{"_cons":"ping","ping_id":3}}')  # the last line without its newline
    h.sock.shutdown(socket.SHUT_WR)
    eof = False
    try:
        while True:
            h.pump_one(time.monotonic() + 15)
    except ConnectionError:
        eof = True
    except Exception as e:  # noqa: BLE001
        c.check('half-close', False, repr(e))
    c.check('half-closed client: all three answered, then the daemon closes', eof and sorted(h.answers) == [1, 2, 3],
            str(sorted(h.answers)))

    # --- the client's own initConnection is used (and re-sent) ---
    e = Client(d.port)
    cfg = e.call(wrap_init({'_cons': 'help.getConfig'}))
    c.check('invokeWithLayer(initConnection(help.getConfig)) answered with config', cfg.get('_cons') == 'config')
    for cl in (a, b, e):
        cl.close()


if __name__ == '__main__':
    main(sys.argv[1])
