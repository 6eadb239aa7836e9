"""Runs `mtjson --testdc` for an end-to-end test and talks to it as a JSON-lines client.

Every wait is bounded: a test that cannot reach the daemon fails with a message, never hangs.
"""
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time

LAYER = 228


def login_code(phone):
    """Test DC phones 99966XYYYY live on DC X; the code is X five times."""
    return phone[5] * 5


def unique_phone(dc, salt=0):
    return '99966%d%04d' % (dc, (os.getpid() * 13 + salt * 101 + int(time.time())) % 10000)


def wrap_init(query):
    return {'_cons': 'invokeWithLayer', 'layer': LAYER,
            'query': {'_cons': 'initConnection', 'api_id': 12345, 'device_model': 'e2e', 'system_version': 'linux',
                      'app_version': '1.0', 'system_lang_code': 'en', 'lang_pack': '', 'lang_code': 'en',
                      'query': query}}


class Daemon:
    """mtjson --testdc on free ports; stderr kept for assertions."""

    def __init__(self, exe, *extra):
        self.exe = exe
        self.args = [exe, '--testdc', '--port', '0', '--testdc-admin', '0'] + list(extra)
        self.proc = subprocess.Popen(self.args, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
        self.log = []
        self.port = None
        self.admin_port = None
        ready = threading.Event()

        def pump():
            for line in self.proc.stderr:
                self.log.append(line.rstrip('\n'))
                m = re.search(r'mtjson listening on [0-9.]+:(\d+)', line)
                if m:
                    self.port = int(m.group(1))
                m = re.search(r'admin endpoint on 127\.0\.0\.1:(\d+)', line)
                if m:
                    self.admin_port = int(m.group(1))
                if self.port and self.admin_port:
                    ready.set()
            ready.set()

        threading.Thread(target=pump, daemon=True).start()
        if not ready.wait(30) or not self.port:
            self.stop()
            raise RuntimeError('mtjson did not start: ' + '\n'.join(self.log[-20:]))

    def logged(self, needle):
        return any(needle in l for l in self.log)

    def admin(self, command):
        with socket.create_connection(('127.0.0.1', self.admin_port), timeout=10) as s:
            s.sendall((json.dumps(command) + '\n').encode())
            buf = b''
            while not buf.endswith(b'\n'):
                chunk = s.recv(65536)
                if not chunk:
                    break
                buf += chunk
        answer = json.loads(buf)
        if not answer.get('ok'):
            raise RuntimeError('admin %s: %s' % (command, answer))
        return answer

    def rss_kib(self):
        with open('/proc/%d/status' % self.proc.pid) as f:
            for line in f:
                if line.startswith('VmRSS:'):
                    return int(line.split()[1])
        return 0

    def stop(self, sig=None):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


def startup_failure(exe, *args, timeout=30):
    """Runs `mtjson ARGS` expecting it to refuse to start: (exit status, stderr), or raises when
    it keeps running."""
    proc = subprocess.Popen([exe] + list(args), stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise RuntimeError('mtjson %s kept running' % ' '.join(args))
    return proc.returncode, err


def free_port_block(n):
    """A base port with n free ports above it (for a test DC that must keep its ports across a
    daemon restart)."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(('127.0.0.1', 0))
            base = s.getsockname()[1]
        if base + n > 65535:
            continue
        ok = True
        for p in range(base, base + n):
            with socket.socket() as t:
                try:
                    t.bind(('127.0.0.1', p))
                except OSError:
                    ok = False
                    break
        if ok:
            return base
    raise RuntimeError('no block of %d free ports' % n)


class Client:
    """One JSON-lines connection. call() pipelines freely; answers are matched by id."""

    def __init__(self, port, timeout=30):
        self.sock = socket.create_connection(('127.0.0.1', port), timeout=timeout)
        self.buf = b''
        self.answers = {}    # id -> list of lines (to catch duplicates)
        self.updates = []    # id 0 lines (their message)
        self.update_lines = []  # id 0 lines as they came (with "seq" on named sessions)
        self.errors = []     # lines with "error" and no matching wait
        self.next_id = 100
        self.timeout = timeout
        self.order = []      # ids in the order their answers arrived

    def send_raw(self, data):
        self.sock.sendall(data)

    def send(self, obj):
        self.sock.sendall((json.dumps(obj) + '\n').encode())

    def read_line(self, deadline):
        while b'\n' not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError('no line from the daemon in time')
            self.sock.settimeout(left)
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise ConnectionError('the daemon closed the connection')
            self.buf += chunk
        line, self.buf = self.buf.split(b'\n', 1)
        return json.loads(line)

    def pump_one(self, deadline):
        obj = self.read_line(deadline)
        i = obj.get('id')
        if i == 0:
            self.updates.append(obj['message'])
            self.update_lines.append(obj)
        else:
            self.answers.setdefault(i, []).append(obj)
            self.order.append(i)
        return obj

    def next_line(self, timeout=None):
        """The next non-update line (for error lines whose id is -2 or repeated)."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            obj = self.pump_one(deadline)
            if obj.get('id') != 0:
                return obj

    def drain(self, seconds):
        """Reads whatever arrives within `seconds` (to catch late duplicates)."""
        deadline = time.monotonic() + seconds
        try:
            while True:
                self.pump_one(deadline)
        except TimeoutError:
            pass

    def wait(self, i, timeout=None):
        deadline = time.monotonic() + (timeout or self.timeout)
        while not self.answers.get(i):
            self.pump_one(deadline)
        return self.answers[i][0]

    def request(self, obj, timeout=None):
        if 'id' not in obj:
            self.next_id += 1
            obj = dict(obj, id=self.next_id)
        self.send(obj)
        return self.wait(obj['id'], timeout)

    def call(self, message, timeout=None, **extra):
        line = self.request(dict({'message': message}, **extra), timeout)
        if 'message' not in line:
            raise RuntimeError('no message in answer: %s' % line)
        return line['message']

    def wait_update(self, predicate, timeout=10):
        deadline = time.monotonic() + timeout
        while True:
            for u in self.updates:
                if predicate(u):
                    return u
            self.pump_one(deadline)

    def sign_in(self, phone, first_name='E2E'):
        sent = self.call(wrap_init({'_cons': 'auth.sendCode', 'phone_number': phone, 'api_id': 12345,
                                    'api_hash': '0123456789abcdef0123456789abcdef',
                                    'settings': {'_cons': 'codeSettings'}}))
        assert sent.get('_cons') == 'auth.sentCode', sent
        auth = self.call({'_cons': 'auth.signIn', 'phone_number': phone, 'phone_code_hash': sent['phone_code_hash'],
                          'phone_code': login_code(phone)})
        if auth.get('_cons') == 'auth.authorizationSignUpRequired':
            auth = self.call({'_cons': 'auth.signUp', 'phone_number': phone, 'phone_code_hash': sent['phone_code_hash'],
                              'first_name': first_name, 'last_name': ''})
        assert auth.get('_cons') == 'auth.authorization', auth
        return auth['user']

    def close(self):
        self.sock.close()


class Checks:
    """One line per check and a closing count; exit status 1 if any failed."""

    def __init__(self):
        self.failed = 0
        self.passed = 0
        self.t0 = time.monotonic()

    def check(self, name, ok, detail=''):
        stamp = '%5.1fs' % (time.monotonic() - self.t0)
        if ok:
            self.passed += 1
            print('PASS %s %s%s' % (stamp, name, (': ' + detail) if detail else ''), flush=True)
        else:
            self.failed += 1
            print('FAIL %s %s: %s' % (stamp, name, detail), flush=True)
        return ok

    def finish(self):
        print('%d passed, %d failed' % (self.passed, self.failed), flush=True)
        sys.exit(1 if self.failed else 0)


def stop_and_check(c, d, label=''):
    """Stops the daemon with SIGTERM: it must exit 0 with no sanitizer report."""
    rc = d.stop()
    suffix = ' (%s)' % label if label else ''
    c.check('SIGTERM stops the daemon cleanly' + suffix, rc == 0, 'exit %s' % rc)
    c.check('no sanitizer report' + suffix, not d.logged('Sanitizer'),
            '\n'.join(l for l in d.log if 'Sanitizer' in l)[:4000])


def run_with_daemon(exe, run, *flags, after=None):
    """The usual script: one daemon started with `flags`, run(checks, daemon), then the daemon
    stopped and checked, after(checks, daemon) if given, and the exit status."""
    c = Checks()
    d = Daemon(exe, *flags)
    try:
        run(c, d)
    finally:
        stop_and_check(c, d)
        if after:
            after(c, d)
    c.finish()


# --- messages, as the scripts send and look for them ---

def texts_of(update):
    """Message texts an update line carries (pushed, or recovered by getDifference), in order."""
    cons = update.get('_cons')
    if cons in ('updateShortMessage', 'updateShortChatMessage'):
        return [update.get('message')]
    if cons == 'updateShort':
        return texts_of({'_cons': 'updates', 'updates': [update.get('update', {})]})
    if cons in ('updates', 'updatesCombined'):
        return [u['message'].get('message') for u in update.get('updates', [])
                if u.get('_cons') in ('updateNewMessage', 'updateNewChannelMessage')
                and isinstance(u.get('message'), dict)]
    return []


def text_of(update):
    """The first message text of an update, else None."""
    texts = texts_of(update)
    return texts[0] if texts else None


def peer_of(users, user_id):
    for u in users:
        if u.get('id') == user_id:
            return {'_cons': 'inputPeerUser', 'user_id': u['id'], 'access_hash': u['access_hash']}
    return None


def contact(client, phone, user_id):
    """Imports `phone` as a contact of `client`'s account; its input peer."""
    r = client.call({'_cons': 'contacts.importContacts', 'contacts': [
        {'_cons': 'inputPhoneContact', 'client_id': 1, 'phone': phone, 'first_name': 'X', 'last_name': ''}]})
    peer = peer_of(r.get('users', []), user_id)
    if not peer:
        raise RuntimeError('contact not found: %s' % r)
    return peer


def history_texts(client, peer):
    """Every message text of a chat, oldest first (messages.getHistory, page by page)."""
    texts = []
    offset = 0
    while True:
        h = client.call({'_cons': 'messages.getHistory', 'peer': peer, 'offset_id': offset, 'offset_date': 0,
                         'add_offset': 0, 'limit': 100, 'max_id': 0, 'min_id': 0, 'hash': 0})
        msgs = h.get('messages', [])
        texts += [m.get('message') for m in msgs]
        if len(msgs) < 100:
            return list(reversed(texts))
        offset = msgs[-1]['id']


def sends(peer, tag, n, first_id):
    """n messages.sendMessage requests '<tag> 0' .. '<tag> n-1' with ids from first_id."""
    return [{'id': first_id + k, 'message': {'_cons': 'messages.sendMessage', 'peer': peer,
                                              'message': '%s %d' % (tag, k), 'random_id': first_id * 1000 + k}}
            for k in range(n)]


def pipeline(client, requests, timeout=60):
    """Sends every request at once; waits for all answers; returns {id: [lines]}."""
    client.send_raw(''.join(json.dumps(r) + '\n' for r in requests).encode())
    deadline = time.monotonic() + timeout
    ids = [r['id'] for r in requests]
    while not all(i in client.answers for i in ids):
        client.pump_one(deadline)
    client.drain(1.0)  # late duplicates would arrive now
    return {i: client.answers[i] for i in ids}


def received(client, tag):
    """The texts starting with '<tag> ' among a client's updates, in the order they came."""
    out = []
    for u in client.updates:
        out += [t for t in texts_of(u) if isinstance(t, str) and t.startswith(tag + ' ')]
    return out


def wait_for_texts(client, tag, n, timeout):
    """Reads updates until n different '<tag> ' texts came (or the timeout), then a little more
    (duplicates would come then); what received() sees."""
    deadline = time.monotonic() + timeout
    try:
        while len(set(received(client, tag))) < n:
            client.pump_one(deadline)
    except TimeoutError:
        pass
    client.drain(1.5)
    return received(client, tag)
