#!/usr/bin/python3
"""Two users on mtjson-testdc: A on Telethon 1.25 (layer 144, a DC-2 phone) and B on GramJS
(layer 198, a DC-3 phone, driven as `node two_users_gramjs.js` over stdin/stdout JSON lines).
Each finds the other with contacts.importContacts and sends private messages; each must receive
the other's messages as NewMessage updates, in order, and A's history must hold all of them.

Run: /usr/bin/python3 tests/interop/two_users.py [--testdc PATH | --server HOST:PORT --key PEM]
Prints one line per step and 'N passed, M failed'; exits 1 on failure, 77 when Telethon, Node,
GramJS (npm ci) or the server binary is missing.
"""
import argparse
import asyncio
import json
import os
import random
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from common import StepFailed, step  # noqa: E402

try:
    from telethon import events, functions, types
except ImportError:
    print('SKIP: Telethon not installed (Debian python3-telethon)', flush=True)
    sys.exit(common.SKIP)

HERE = os.path.dirname(os.path.abspath(__file__))
WHOLE_RUN_SECONDS = 80


class GramJSPeer:
    """The node process: its events in a queue, commands written as JSON lines."""

    def __init__(self, proc, steps):
        self.proc = proc
        self.steps = steps
        self.events = asyncio.Queue()
        self.reader = asyncio.create_task(self._read())

    async def _read(self):
        while True:
            line = await self.proc.stdout.readline()
            if not line:
                await self.events.put({'event': 'eof'})
                return
            text = line.decode(errors='replace').rstrip('\n')
            try:
                ev = json.loads(text)
            except ValueError:
                print('     gramjs| ' + text, flush=True)
                continue
            if ev.get('event') == 'step':
                if ev['ok']:
                    self.steps.ok('GramJS: ' + ev['name'], ev.get('detail', ''))
                else:
                    self.steps.fail('GramJS: ' + ev['name'], ev.get('detail', ''))
            elif ev.get('event') == 'info':
                self.steps.info('GramJS: ' + ev['text'])
            else:
                await self.events.put(ev)

    def send(self, obj):
        self.proc.stdin.write((json.dumps(obj) + '\n').encode())

    async def expect(self, kind, pred=lambda ev: True):
        """The next event of `kind` matching `pred` (others of that kind are errors)."""
        while True:
            ev = await self.events.get()
            if ev['event'] == 'eof':
                raise RuntimeError('GramJS side exited (code %s) while waiting for %s'
                                   % (await self.proc.wait(), kind))
            if ev['event'] == kind:
                if pred(ev):
                    return ev
                raise RuntimeError('unexpected %s event: %s' % (kind, ev))


async def flow(args, steps, server, node, key_file):
    phone_a = common.phone_for(2, common.unique_tail())
    phone_b = common.phone_for(3, common.unique_tail())
    proc = await asyncio.create_subprocess_exec(
        node, os.path.join(HERE, 'two_users_gramjs.js'),
        '--server', '%s:%d' % (server.host, server.port(1)), '--key', key_file, '--phone', phone_b,
        *(['--verbose'] if args.verbose else []),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
    peer = GramJSPeer(proc, steps)
    client = common.telethon_client(server, dc_id=1, transport='ConnectionTcpIntermediate')
    try:
        # Both sign in at the same time: A (Telethon) here, B (GramJS) in the node process.
        await step(steps, 'Telethon: connect to DC 1 (intermediate)', client.connect())

        async def telethon_sign_in():
            await client.send_code_request(phone_a)
            code = common.login_code(phone_a)
            try:
                return await client.sign_in(phone_a, code)
            except Exception as e:
                if type(e).__name__ != 'PhoneNumberUnoccupiedError':
                    raise
                return await client.sign_up(code, 'Tele', 'Interop')

        user_a = await step(steps, 'Telethon: sign in %s (PHONE_MIGRATE_2, sign-up)' % phone_a,
                            telethon_sign_in(), timeout=30)
        steps.check(user_a.phone == phone_a and client.session.dc_id == 2,
                    'Telethon: signed in on DC 2', 'user id %d' % user_a.id)
        ready = await step(steps, 'GramJS: ready', peer.expect('ready'), timeout=30)
        user_b_id = int(ready['user_id'])
        steps.check(ready['dc_id'] == 3, 'GramJS: signed in on DC 3', 'user id %d' % user_b_id)

        inbox = asyncio.Queue()

        async def on_message(event):
            if event.is_private and not event.out:
                await inbox.put(event.message)

        client.add_event_handler(on_message, events.NewMessage(incoming=True))

        imported = await step(steps, 'Telethon: contacts.importContacts ' + phone_b, client(
            functions.contacts.ImportContactsRequest([types.InputPhoneContact(
                client_id=random.getrandbits(62), phone=phone_b, first_name='Peer', last_name='')])))
        user_b = next((u for u in imported.users if u.phone == phone_b), None)
        if not steps.check(user_b is not None and user_b.id == user_b_id,
                           'Telethon: importContacts found the GramJS user'):
            raise StepFailed('importContacts')

        tag = '%d' % os.getpid()
        a_to_b = ['A->B %d %s' % (i, tag) for i in (1, 2)]
        b_to_a = ['B->A %d %s' % (i, tag) for i in (1, 2)]
        sent_ids = []
        for text in a_to_b:
            m = await step(steps, 'Telethon: send "%s"' % text, client.send_message(user_b, text))
            sent_ids.append(m.id)
        for text in a_to_b:
            ev = await step(steps, 'GramJS: receives "%s"' % text,
                            peer.expect('message', lambda ev: True), timeout=10)
            steps.check(ev['text'] == text and int(ev['from']) == user_a.id,
                        'GramJS: update is "%s" from the Telethon user' % text,
                        'got %r from %s' % (ev['text'], ev['from']))

        for text in b_to_a:
            peer.send({'cmd': 'send', 'phone': phone_a, 'text': text})
            ev = await step(steps, 'GramJS: send "%s"' % text, peer.expect('sent'), timeout=10)
            if ev.get('error'):
                raise StepFailed('GramJS send')
            sent_ids.append(ev['id'])
        for text in b_to_a:
            m = await step(steps, 'Telethon: receives "%s"' % text, inbox.get(), timeout=10)
            steps.check(m.message == text and m.sender_id == user_b_id,
                        'Telethon: update is "%s" from the GramJS user' % text,
                        'got %r from %s' % (m.message, m.sender_id))

        history = await step(steps, 'Telethon: messages.getHistory with the GramJS user',
                             client.get_messages(user_b, limit=10))
        texts = [m.message for m in reversed(history)]
        steps.check(texts == a_to_b + b_to_a, 'Telethon: history holds the 4 messages in order',
                    str(texts))

        peer.send({'cmd': 'quit'})
        code = await step(steps, 'GramJS side exits', proc.wait(), timeout=10)
        steps.check(code == 0, 'GramJS side exits 0', 'exit %s' % code)
    finally:
        try:
            await asyncio.wait_for(client.disconnect(), 5)
        except Exception:
            pass
        if proc.returncode is None:
            try:
                proc.stdin.close()
                await asyncio.wait_for(proc.wait(), 5)
            except Exception:
                proc.kill()
                await proc.wait()
        try:
            await asyncio.wait_for(peer.reader, 5)  # the GramJS side's last lines
        except Exception:
            peer.reader.cancel()


async def main():
    parser = argparse.ArgumentParser(description=__doc__)
    common.add_server_args(parser)
    parser.add_argument('--node', default=shutil.which('node') or shutil.which('nodejs'),
                        help='the Node.js executable')
    args = parser.parse_args()
    if not args.node:
        print('SKIP: Node.js not found', flush=True)
        return common.SKIP
    if not os.path.isdir(os.path.join(HERE, 'node_modules', 'telegram')):
        print('SKIP: GramJS not installed (run: npm ci --prefix %s)' % HERE, flush=True)
        return common.SKIP
    steps = common.Steps()
    log = common.LogTail(args.verbose)
    try:
        server = common.open_server(args, steps)
    except Exception as e:
        steps.fail('start mtjson-testdc', str(e))
        return steps.finish()
    steps.ok('server ready', '%s:%d-%d' % (server.host, server.port(1), server.port(3)))
    key_dir = tempfile.mkdtemp(prefix='mtjson-interop-key-')
    key_file = os.path.join(key_dir, 'server.pub.pem')
    with open(key_file, 'w') as f:
        f.write(server.pem)
    try:
        await asyncio.wait_for(flow(args, steps, server, args.node, key_file), WHOLE_RUN_SECONDS)
    except StepFailed:
        pass
    except asyncio.TimeoutError:
        steps.fail('whole flow', 'over %d s' % WHOLE_RUN_SECONDS)
    except Exception as e:
        steps.fail('flow', '%s: %s' % (type(e).__name__, e))
    finally:
        if steps.failed:
            log.dump('Telethon log (last lines)')
            tail = server.log_tail()
            if tail:
                print('---- server log (last lines) ----\n' + tail + '---- end ----', flush=True)
        common.finish_server(steps, server)
        shutil.rmtree(key_dir, ignore_errors=True)
    return steps.finish()


if __name__ == '__main__':
    sys.exit(asyncio.run(main()))
