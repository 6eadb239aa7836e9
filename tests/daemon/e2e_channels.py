#!/usr/bin/python3
"""Gapless channel and secret-chat updates: a channel member sees every post, edit and
deletion exactly once and in order although the test DC withholds pushes (skip_updates: a channel
pts gap the daemon fills with updates.getChannelDifference) or drops every connection; a secret
chat's messages (opaque bytes) arrive once and in order although pushes are withheld (a qts gap,
filled by updates.getDifference's new_encrypted_messages).

Run: /usr/bin/python3 tests/daemon/e2e_channels.py PATH/TO/mtjson
"""
import base64
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_harness import (Client, contact, history_texts, received, run_with_daemon, unique_phone,  # noqa: E402
                            wait_for_texts)


def main(exe):
    run_with_daemon(exe, run)


def inner_updates(client, cons):
    """Every Update of kind `cons` among a client's update lines, in the order they came."""
    out = []
    for u in client.updates:
        if u.get('_cons') in ('updates', 'updatesCombined'):
            out += [x for x in u.get('updates', []) if x.get('_cons') == cons]
        elif u.get('_cons') == 'updateShort' and u.get('update', {}).get('_cons') == cons:
            out.append(u['update'])
    return out


def wait_for(client, predicate, timeout):
    """Reads updates until predicate(client) holds (or the timeout), then a little more (late
    duplicates would come then)."""
    deadline = time.monotonic() + timeout
    try:
        while not predicate(client):
            client.pump_one(deadline)
    except TimeoutError:
        pass
    client.drain(1.5)


def post(client, channel, text, random_id):
    """Posts `text`; the new message's id."""
    r = client.call({'_cons': 'messages.sendMessage', 'peer': channel, 'message': text, 'random_id': random_id})
    ids = [u['id'] for u in r.get('updates', []) if u.get('_cons') == 'updateMessageID']
    assert len(ids) == 1, r
    return ids[0]


def secret_texts(client, tag):
    """Texts of '<tag> ' secret messages a client got (their bytes are the text here), in order."""
    out = []
    for u in inner_updates(client, 'updateNewEncryptedMessage'):
        text = base64.b64decode(u['message']['bytes']).decode('utf-8', 'replace')
        if text.startswith(tag + ' '):
            out.append(text)
    return out


def recovered_qts(client, tag):
    """The '<tag> ' secret messages that came from updates.getDifference (qts 0 there)."""
    return [base64.b64decode(u['message']['bytes']).decode() for u in inner_updates(client, 'updateNewEncryptedMessage')
            if u.get('qts') == 0 and base64.b64decode(u['message']['bytes']).decode().startswith(tag + ' ')]


def run(c, d):
    pa, pb = unique_phone(2, 41), unique_phone(2, 42)
    a, b = Client(d.port), Client(d.port)
    ua = a.sign_in(pa, 'Owner')
    ub = b.sign_in(pb, 'Member')

    # --- a public broadcast channel: A owns it, B joins ---
    created = a.call({'_cons': 'channels.createChannel', 'broadcast': True, 'title': 'E2E news', 'about': 'posts'})
    chat = created['chats'][0]
    input_channel = {'_cons': 'inputChannel', 'channel_id': chat['id'], 'access_hash': chat['access_hash']}
    channel = {'_cons': 'inputPeerChannel', 'channel_id': chat['id'], 'access_hash': chat['access_hash']}
    a.call({'_cons': 'channels.updateUsername', 'channel': input_channel, 'username': 'e2e%d' % (os.getpid() % 100000)})
    joined = b.call({'_cons': 'channels.joinChannel', 'channel': input_channel})
    assert joined.get('_cons') in ('messages.chatInviteJoinResultOk', 'updates'), joined

    dialogs = b.call({'_cons': 'messages.getDialogs', 'offset_date': 0, 'offset_id': 0,
                      'offset_peer': {'_cons': 'inputPeerEmpty'}, 'limit': 20, 'hash': 0})
    ch_dialogs = [x for x in dialogs.get('dialogs', []) if x['peer'].get('_cons') == 'peerChannel']
    c.check('the channel is in the member\'s dialogs with its pts',
            len(ch_dialogs) == 1 and ch_dialogs[0]['peer']['channel_id'] == chat['id'] and ch_dialogs[0].get('pts') == 1
            and [x['id'] for x in dialogs.get('chats', [])] == [chat['id']], json.dumps(dialogs)[:600])

    # The member's tracker has the channel's pts from the dialog ("Working with Updates", "Fetching state"),
    # so even the first posts after joining may be withheld.
    d.admin({'skip_updates': {'count': 2}})
    ids = {}
    for k in range(4):
        ids['warm %d' % k] = post(a, channel, 'warm %d' % k, 1 + k)
    got = wait_for_texts(b, 'warm', 4, 15)
    c.check('the first posts after joining, 2 of them withheld: the member has all 4, in order, once',
            got == ['warm %d' % k for k in range(4)], str(got))

    # --- a. the test DC withholds 3 channel pushes: a channel pts gap, filled by getChannelDifference ---
    d.admin({'skip_updates': {'count': 3}})
    n = 10
    for k in range(n):
        ids['skip %d' % k] = post(a, channel, 'skip %d' % k, 100 + k)
    got = wait_for_texts(b, 'skip', n, 20)
    want = ['skip %d' % k for k in range(n)]
    c.check('3 channel pushes withheld: the member still has all %d posts, in order, none twice' % n, got == want,
            str(got))
    recovered = [x['message']['message'] for x in inner_updates(b, 'updateNewChannelMessage')
                 if x.get('pts') == 0 and x['message'].get('message', '').startswith('skip ')]
    c.check('... the withheld ones came from updates.getChannelDifference', set(want[:3]) <= set(recovered),
            'recovered %s; test DC: %s' % (recovered, [l for l in d.log if 'skip_updates' in l][-4:]))

    # --- b. posts while every DC connection of the daemon drops ---
    n = 30
    reqs = [{'id': 5000 + k, 'message': {'_cons': 'messages.sendMessage', 'peer': channel,
                                         'message': 'drop %d' % k, 'random_id': 5000 + k}} for k in range(n)]
    for part, rest in ((reqs[:10], True), (reqs[10:20], True), (reqs[20:], False)):
        a.send_raw(''.join(json.dumps(r) + '\n' for r in part).encode())
        time.sleep(0.05)
        if rest:
            d.admin({'drop_connections': {}})
    deadline = time.monotonic() + 60
    while not all(r['id'] in a.answers for r in reqs):
        a.pump_one(deadline)
    got = wait_for_texts(b, 'drop', n, 30)
    truth = [t for t in history_texts(b, channel) if t and t.startswith('drop ')]
    c.check('connections dropped during %d posts: the channel has each once' % n,
            sorted(truth) == sorted('drop %d' % k for k in range(n)), str(truth))
    c.check('... and the member got each exactly once, in the channel\'s order', got == truth,
            'got %s\nchannel %s' % (got, truth))

    # --- c. an edit and a deletion reach the member once; a withheld deletion is recovered ---
    a.call({'_cons': 'messages.editMessage', 'peer': channel, 'id': ids['skip 0'], 'message': 'skip 0 edited'})
    wait_for(b, lambda cl: inner_updates(cl, 'updateEditChannelMessage'), 15)
    edits = [x['message'].get('message') for x in inner_updates(b, 'updateEditChannelMessage')]
    c.check('an edit reaches the member once', edits == ['skip 0 edited'], str(edits))
    affected = a.call({'_cons': 'channels.deleteMessages', 'channel': input_channel, 'id': [ids['skip 1']]})
    c.check('channels.deleteMessages answers with the channel\'s pts',
            affected.get('_cons') == 'messages.affectedMessages' and affected.get('pts_count') == 1, str(affected))
    wait_for(b, lambda cl: inner_updates(cl, 'updateDeleteChannelMessages'), 15)
    deletes = [x.get('messages') for x in inner_updates(b, 'updateDeleteChannelMessages')]
    c.check('a deletion reaches the member once', deletes == [[ids['skip 1']]], str(deletes))
    d.admin({'skip_updates': {'count': 1}})
    a.call({'_cons': 'channels.deleteMessages', 'channel': input_channel, 'id': [ids['skip 2']]})
    post(a, channel, 'tail 0', 9000)
    got = wait_for_texts(b, 'tail', 1, 20)
    wait_for(b, lambda cl: len(inner_updates(cl, 'updateDeleteChannelMessages')) >= 2, 5)
    deletes = [x.get('messages') for x in inner_updates(b, 'updateDeleteChannelMessages')]
    c.check('a withheld deletion is recovered, once, before the next post',
            deletes == [[ids['skip 1']], [ids['skip 2']]] and got == ['tail 0'], 'deletes %s, tail %s' % (deletes, got))
    counts = (len(received(b, 'warm')), len(received(b, 'skip')), len(received(b, 'drop')),
              len(inner_updates(b, 'updateEditChannelMessage')))
    c.check('... and nothing old came again', counts == (4, 10, 30, 1), 'warm/skip/drop/edit counts %s' % (counts,))

    # --- d. a secret chat: opaque payloads, a qts gap filled by updates.getDifference ---
    peer_b = contact(a, pb, ub['id'])
    contact(b, pa, ua['id'])
    user_b = {'_cons': 'inputUser', 'user_id': peer_b['user_id'], 'access_hash': peer_b['access_hash']}
    g_a = base64.b64encode(bytes([0x42]) * 256).decode()
    g_b = base64.b64encode(bytes([0x43]) * 256).decode()
    waiting = a.call({'_cons': 'messages.requestEncryption', 'user_id': user_b, 'random_id': 77, 'g_a': g_a})
    c.check('requestEncryption: the caller gets encryptedChatWaiting', waiting.get('_cons') == 'encryptedChatWaiting',
            str(waiting))
    wait_for(b, lambda cl: inner_updates(cl, 'updateEncryption'), 15)
    asked = [x['chat'] for x in inner_updates(b, 'updateEncryption')]
    c.check('... the other user gets encryptedChatRequested with g_a once',
            len(asked) == 1 and asked[0].get('_cons') == 'encryptedChatRequested' and asked[0].get('g_a') == g_a
            and asked[0].get('id') == waiting.get('id'), str(asked))
    secret = {'_cons': 'inputEncryptedChat', 'chat_id': waiting['id'], 'access_hash': waiting['access_hash']}
    accepted = b.call({'_cons': 'messages.acceptEncryption', 'peer': secret, 'g_b': g_b, 'key_fingerprint': 4242})
    wait_for(a, lambda cl: inner_updates(cl, 'updateEncryption'), 15)
    done = [x['chat'] for x in inner_updates(a, 'updateEncryption')]
    c.check('acceptEncryption: the requester gets encryptedChat with g_b once',
            accepted.get('_cons') == 'encryptedChat' and len(done) == 1 and done[0].get('_cons') == 'encryptedChat'
            and done[0].get('g_a_or_b') == g_b and done[0].get('key_fingerprint') == 4242, '%s %s' % (accepted, done))

    def send_secret(text, random_id):
        r = a.call({'_cons': 'messages.sendEncrypted', 'peer': secret, 'random_id': random_id,
                    'data': base64.b64encode(text.encode()).decode()})
        assert r.get('_cons') == 'messages.sentEncryptedMessage', r

    send_secret('s-warm 0', 1)
    wait_for(b, lambda cl: secret_texts(cl, 's-warm'), 15)
    c.check('a secret message reaches the receiver once, bytes intact', secret_texts(b, 's-warm') == ['s-warm 0'],
            str(secret_texts(b, 's-warm')))
    d.admin({'skip_updates': {'count': 3}})
    n = 10
    for k in range(n):
        send_secret('secret %d' % k, 100 + k)
    want = ['secret %d' % k for k in range(n)]
    wait_for(b, lambda cl: len(set(secret_texts(cl, 'secret'))) >= n, 20)
    got = secret_texts(b, 'secret')
    c.check('3 secret pushes withheld: the receiver has all %d, in order, none twice' % n, got == want, str(got))
    rec = recovered_qts(b, 'secret')
    c.check('... the withheld ones came from updates.getDifference\'s new_encrypted_messages',
            set(want[:3]) <= set(rec), 'recovered %s' % rec)
    a.close()
    b.close()


if __name__ == '__main__':
    main(sys.argv[1])
