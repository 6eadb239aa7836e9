#!/usr/bin/python3
"""mtjson-signin end to end: a real `mtjson --testdc` daemon (started here on free ports, with a
--testdc-data dir so it can be restarted) and the real mtjson-signin binary, driven the ways a
script (--json, stdin lines) and a person (a pseudo-terminal) would.

Run: /usr/bin/python3 tests/signin/e2e_signin.py --mtjson PATH --signin PATH
Prints one line per step and 'N passed, M failed'; exits 1 on any failure.
"""
import argparse
import base64
import hashlib
import json
import os
import pty
import select
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import termios
import time

TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TESTS, 'daemon'))
sys.path.insert(0, os.path.join(TESTS, 'interop'))
from common import Steps, StepFailed as Stop  # noqa: E402
from daemon_harness import Client, Daemon, free_port_block, wrap_init  # noqa: E402

API_ID = 12345
API_HASH = '0123456789abcdef0123456789abcdef'
# Test numbers 99966XYYYY live on DC X; the code is X five times. The daemon's home DC is 2.
PHONE_NEW = '9996620101'       # signs up (new account), then signs in again (existing)
PHONE_2FA = '9996620202'       # gets a 2FA password through the protocol
PHONE_DC1 = '9996610303'       # lives on DC 1: PHONE_MIGRATE_1, followed by the daemon
PHONE_PTY = '9996620404'       # signed up interactively through a pseudo-terminal
BOT_TOKEN = '7000123:e2e_bot_secret'
PASSWORD = 'correct horse battery staple'
WHOLE_RUN_SECONDS = 240
STARTED = []  # every daemon started (daemon_harness.Daemon), for the end-of-run checks


# ---------------------------------------------------------------- the daemon

def start_daemon(exe, testdc_flags, started):
    """`mtjson --testdc` (daemon_harness) with the test DC's ports and state dir fixed by
    testdc_flags, so that after a restart a saved session (which names the test DC's address)
    still points at it. Every daemon started goes into `started` (logs checked at the end)."""
    daemon = Daemon(exe, *testdc_flags)
    started.append(daemon)
    return daemon


def sanitizer_reports(daemons):
    return [l for d in daemons for l in d.log if 'Sanitizer' in l or 'runtime error:' in l]


# ---------------------------------------------------------------- 2FA, computed here ("Two-factor authentication")

def _sh(data, salt):
    return hashlib.sha256(salt + data + salt).digest()


def srp_verifier(password, salt1, salt2, g, p_bytes):
    """v = g^x mod p, x = PH2(password, salt1, salt2): an independent implementation of what
    account.updatePasswordSettings wants, so the C++ client side is checked against it."""
    ph1 = _sh(_sh(password.encode(), salt1), salt2)
    x = _sh(hashlib.pbkdf2_hmac('sha512', ph1, salt1, 100000), salt2)
    p = int.from_bytes(p_bytes, 'big')
    return pow(g, int.from_bytes(x, 'big'), p).to_bytes(256, 'big')


def set_password(port, session, password):
    c = Client(port)
    try:
        restored = c.request({'id': 1, 'session': session})
        if 'session' not in restored:
            raise RuntimeError('session restore refused: %s' % restored)
        info = c.call(wrap_init({'_cons': 'account.getPassword'}))
        algo = info['new_algo']
        salt1 = base64.b64decode(algo['salt1']) + os.urandom(32)
        salt2 = base64.b64decode(algo['salt2'])
        v = srp_verifier(password, salt1, salt2, algo['g'], base64.b64decode(algo['p']))
        new_algo = dict(algo, salt1=base64.b64encode(salt1).decode())
        return c.call(wrap_init({'_cons': 'account.updatePasswordSettings',
                                 'password': {'_cons': 'inputCheckPasswordEmpty'},
                                 'new_settings': {'_cons': 'account.passwordInputSettings', 'new_algo': new_algo,
                                                  'new_password_hash': base64.b64encode(v).decode(),
                                                  'hint': 'a horse'}}))
    finally:
        c.close()


# ---------------------------------------------------------------- mtjson-signin runs

class Run:
    def __init__(self, proc):
        self.code = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr

    def __str__(self):
        return 'exit %s, stdout %r, stderr %r' % (self.code, self.out[-300:], self.err[-300:])

    def session(self):
        lines = [l for l in self.out.splitlines() if l.strip()]
        if len(lines) != 1:
            return None
        return json.loads(lines[0]).get('session')


def signin(exe, port, args, stdin='', timeout=60):
    proc = subprocess.run([exe, '--port', str(port)] + args, input=stdin, capture_output=True, text=True,
                          timeout=timeout)
    return Run(proc)


def script_args(*more):
    return ['--json', '--api-id', str(API_ID), '--api-hash', API_HASH] + list(more)


def good_session(s, dc=None):
    return (isinstance(s, dict) and isinstance(s.get('auth_key'), str) and len(base64.b64decode(s['auth_key'])) == 256
            and isinstance(s.get('user_id'), int) and (dc is None or s.get('dc') == dc))


# ---------------------------------------------------------------- the pseudo-terminal

class Terminal:
    """mtjson-signin with stdin and stderr on a pty (as a person runs it); stdout to a pipe."""

    def __init__(self, exe, port, args):
        self.master, self.slave = pty.openpty()
        self.proc = subprocess.Popen([exe, '--port', str(port)] + args, stdin=self.slave, stderr=self.slave,
                                     stdout=subprocess.PIPE, start_new_session=True)
        self.seen = b''

    def expect(self, text, timeout=30):
        """Reads until `text` has appeared after what was consumed; returns everything read."""
        deadline = time.monotonic() + timeout
        needle = text.encode()
        while needle not in self.seen:
            left = deadline - time.monotonic()
            if left <= 0:
                raise RuntimeError('timed out waiting for %r; terminal so far: %r' % (text, self.seen[-400:]))
            r, _, _ = select.select([self.master], [], [], left)
            if r:
                try:
                    chunk = os.read(self.master, 4096)
                except OSError:
                    chunk = b''
                if not chunk:
                    raise RuntimeError('terminal closed waiting for %r; so far: %r' % (text, self.seen[-400:]))
                self.seen += chunk
        head, _, self.seen = self.seen.partition(needle)
        return head + needle

    def drain(self, wait=0.3):
        """What the terminal shows in the next `wait` seconds."""
        out = b''
        deadline = time.monotonic() + wait
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            r, _, _ = select.select([self.master], [], [], left)
            if not r:
                break
            try:
                chunk = os.read(self.master, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        self.seen += out
        return out

    def type(self, text):
        os.write(self.master, text.encode())

    def echo_on(self):
        return bool(termios.tcgetattr(self.slave)[3] & termios.ECHO)

    def finish(self, timeout=60):
        out, _ = self.proc.communicate(timeout=timeout)
        self.drain(0.2)
        return self.proc.returncode, out.decode()

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        for fd in (self.master, self.slave):
            try:
                os.close(fd)
            except OSError:
                pass


# ---------------------------------------------------------------- the flow

def run(args, steps):
    workdir = tempfile.mkdtemp(prefix='mtjson-signin-e2e-')
    testdc_flags = ('--testdc-data', os.path.join(workdir, 'testdc'), '--testdc-port', str(free_port_block(5)))
    exe = args.signin
    daemon = None
    try:
        daemon = start_daemon(args.mtjson, testdc_flags, STARTED)
        steps.info('daemon: ' + ' '.join(daemon.args))
        port = daemon.port

        # Unreachable daemon: exit 2 with a line that says what to do.
        r = signin(exe, free_port_block(1), script_args('--phone', PHONE_NEW))
        steps.check(r.code == 2 and 'cannot reach the daemon' in r.err and r.err.count('\n') == 1,
                    'no daemon on the port: exit 2, one line', str(r))

        # New user, scripted: code and names from stdin, session to --out (0600), nothing on stdout.
        out_new = os.path.join(workdir, 'new.session')
        r = signin(exe, port, script_args('--phone', PHONE_NEW, '--out', out_new), '22222\nNew\nUser\n')
        saved = None
        if os.path.exists(out_new):
            with open(out_new) as f:
                saved = json.loads(f.readline())['session']
        if not steps.check(r.code == 0 and r.out == '' and good_session(saved, 2),
                           'new user signs up (--json, stdin lines, --out)', str(r)):
            raise Stop()
        user_new = saved['user_id']
        mode = stat.S_IMODE(os.stat(out_new).st_mode)
        steps.check(mode == 0o600, 'the --out file has mode 0600', oct(mode))
        steps.check(not [n for n in os.listdir(workdir) if n.startswith('new.session.')],
                    'no temporary file left next to --out')

        # The same number again: an existing account, the same user.
        r = signin(exe, port, script_args('--phone', PHONE_NEW), '22222\n')
        s = r.session()
        steps.check(r.code == 0 and good_session(s) and s['user_id'] == user_new,
                    'existing user signs in (same user_id)', str(r))
        steps.check(s is not None and s.get('auth_key') != saved['auth_key'],
                    'a second sign-in is a new auth key (a session of its own)')

        # Wrong codes: asked again; 3 wrong is exit 1; input that ends is exit 1.
        r = signin(exe, port, script_args('--phone', PHONE_NEW), '11111\n22222\n')
        steps.check(r.code == 0 and good_session(r.session()), 'a wrong code, then the right one', str(r))
        r = signin(exe, port, script_args('--phone', PHONE_NEW), '11111\n11112\n11113\n')
        steps.check(r.code == 1 and 'Wrong code' in r.err and r.out == '', 'three wrong codes: exit 1', str(r))
        r = signin(exe, port, script_args('--phone', PHONE_NEW), '')
        steps.check(r.code == 1 and 'no code given' in r.err, 'no code on stdin: exit 1 naming it', str(r))
        r = signin(exe, port, script_args('--phone', '12345'))
        steps.check(r.code == 1 and 'PHONE_NUMBER_INVALID' in r.err, 'an unknown number: exit 1', str(r))

        # --check, then the pasted line itself restores the session for any client.
        r = signin(exe, port, ['--check', out_new, '--api-id', str(API_ID), '--json'])
        who = json.loads(r.out)['user'] if r.code == 0 and r.out.strip() else {}
        steps.check(r.code == 0 and who.get('id') == user_new and who.get('phone') == PHONE_NEW
                    and who.get('first_name') == 'New' and who.get('bot') is False,
                    '--check --json: id, name, phone, not a bot', str(r))
        r = signin(exe, port, ['--check', out_new, '--api-id', str(API_ID)])
        steps.check(r.code == 0 and 'Signed in as New User' in r.out and PHONE_NEW in r.out,
                    '--check prints who it is', str(r))

        # Migration: a DC 1 number while the daemon starts on DC 2.
        r = signin(exe, port, script_args('--phone', PHONE_DC1), '11111\nOne\nDC\n')
        s = r.session()
        steps.check(r.code == 0 and good_session(s, 1), 'a DC 1 number: PHONE_MIGRATE_1 followed, session on DC 1',
                    str(r))
        if s:
            path = os.path.join(workdir, 'dc1.session')
            with open(path, 'w') as f:
                f.write(r.out)
            r = signin(exe, port, ['--check', path, '--api-id', str(API_ID), '--json'])
            steps.check(r.code == 0 and json.loads(r.out)['user']['phone'] == PHONE_DC1,
                        '--check of the DC 1 session', str(r))

        # Bot token.
        out_bot = os.path.join(workdir, 'bot.session')
        r = signin(exe, port, script_args('--bot-token', BOT_TOKEN, '--out', out_bot))
        steps.check(r.code == 0 and os.path.exists(out_bot), 'bot token signs in', str(r))
        r = signin(exe, port, ['--check', out_bot, '--api-id', str(API_ID), '--json'])
        steps.check(r.code == 0 and json.loads(r.out)['user'] == dict(json.loads(r.out)['user'], id=7000123, bot=True),
                    '--check of the bot session: id 7000123, a bot', str(r))
        r = signin(exe, port, script_args('--bot-token', '7000123:not_the_secret'))
        steps.check(r.code == 1 and 'ACCESS_TOKEN_INVALID' in r.err, 'a wrong bot secret: exit 1', str(r))

        # 2FA: the password is set through the protocol, then signed in with right/wrong ones.
        r = signin(exe, port, script_args('--phone', PHONE_2FA), '22222\nTwo\nFactor\n')
        s2 = r.session()
        if not steps.check(r.code == 0 and good_session(s2), '2FA user signs up', str(r)):
            raise Stop()
        res = set_password(port, s2, PASSWORD)
        steps.check(res is True, 'account.updatePasswordSettings sets a password (SRP verifier computed in Python)',
                    repr(res))
        r = signin(exe, port, script_args('--phone', PHONE_2FA, '--password', PASSWORD), '22222\n')
        s = r.session()
        steps.check(r.code == 0 and good_session(s) and s['user_id'] == s2['user_id'],
                    '2FA: the right --password signs in (SRP)', str(r))
        r = signin(exe, port, script_args('--phone', PHONE_2FA, '--password', 'wrong'), '22222\n')
        steps.check(r.code == 1 and 'wrong 2FA password' in r.err and r.out == '',
                    '2FA: a wrong --password is exit 1 at once', str(r))
        r = signin(exe, port, script_args('--phone', PHONE_2FA), '22222\nnope\n%s\n' % PASSWORD)
        steps.check(r.code == 0 and good_session(r.session()), '2FA --json: password lines from stdin, wrong then right',
                    str(r))

        # A person at a terminal: every prompt, a wrong code, the password without echo.
        term = Terminal(exe, port, [])
        try:
            term.expect('Phone number')
            term.type(PHONE_2FA + '\n')
            term.expect('api_id')
            term.type('%d\n' % API_ID)
            term.expect('api_hash')
            term.type(API_HASH + '\n')
            term.expect('Code: ')
            term.type('11111\n')
            shown = term.expect('Code: ')
            steps.check(b'11111' in shown and b'Wrong code' in shown and b'2 tries left' in shown,
                        'pty: the code is echoed; a wrong one is asked again', repr(shown[-120:]))
            term.type('22222\n')
            shown = term.expect('2FA password (hint: a horse): ')
            steps.check(True, 'pty: the password prompt shows the hint')
            echo_during = term.echo_on()
            term.type('not it\n')
            shown = term.expect('2FA password')
            steps.check(not echo_during and b'not it' not in shown and b'Wrong password' in shown,
                        'pty: a wrong password is not echoed and asked again', repr(shown[-160:]))
            term.type(PASSWORD + '\n')
            code, out = term.finish()
            steps.check(code == 0 and PASSWORD.encode() not in term.seen and b'Signed in as Two Factor' in term.seen,
                        'pty: signed in; the password never appeared on the terminal', repr(term.seen[-200:]))
            steps.check(good_session((json.loads(out) if out.strip() else {}).get('session')),
                        'pty: the session line on stdout', out[:80])
            steps.check(term.echo_on(), 'pty: echo is back on afterwards')
        finally:
            term.close()

        # Sign-up through the terminal, and Ctrl-C at the password prompt leaves echo on.
        term = Terminal(exe, port, ['--phone', PHONE_PTY, '--api-id', str(API_ID), '--api-hash', API_HASH])
        try:
            term.expect('Code: ')
            term.type('22222\n')
            term.expect('First name: ')
            term.type('Pty\n')
            term.expect('Last name (may be empty): ')
            term.type('\n')
            code, out = term.finish()
            steps.check(code == 0 and good_session((json.loads(out) if out.strip() else {}).get('session')),
                        'pty: a new account asks first and last name', repr(term.seen[-200:]))
        finally:
            term.close()
        term = Terminal(exe, port, ['--phone', PHONE_2FA, '--api-id', str(API_ID), '--api-hash', API_HASH])
        try:
            term.expect('Code: ')
            term.type('22222\n')
            term.expect('2FA password')
            time.sleep(0.2)
            was_off = not term.echo_on()
            os.killpg(term.proc.pid, signal.SIGINT)
            term.proc.wait(10)
            steps.check(was_off and term.proc.returncode == -signal.SIGINT and term.echo_on(),
                        'pty: Ctrl-C at the password prompt puts echo back', 'exit %s' % term.proc.returncode)
        finally:
            term.close()

        # Restart the daemon (same test DC state and ports): the saved sessions still work.
        code = daemon.stop()
        steps.check(code == 0, 'the daemon stops cleanly on SIGTERM', 'exit %s' % code)
        daemon = start_daemon(args.mtjson, testdc_flags, STARTED)
        steps.info('daemon again: ' + ' '.join(daemon.args))
        port = daemon.port
        r = signin(exe, port, ['--check', out_new, '--api-id', str(API_ID), '--json'])
        steps.check(r.code == 0 and json.loads(r.out)['user']['id'] == user_new,
                    '--check on the saved file after a daemon restart', str(r))
        r = signin(exe, port, ['--check', out_bot, '--api-id', str(API_ID)])
        steps.check(r.code == 0 and 'bot' in r.out, '--check of the bot after the restart', str(r))
        c = Client(port)
        try:
            with open(out_new) as f:
                c.send_raw(f.readline().encode())  # exactly as pasted into nc: no id (default 1)
            restored = c.wait(1)
            users = c.call(wrap_init({'_cons': 'users.getUsers', 'id': [{'_cons': 'inputUserSelf'}]}))
            steps.check('session' in restored and isinstance(users, list) and users[0].get('id') == user_new,
                        'the saved line, pasted as is, restores the session for a raw client',
                        json.dumps(users)[:200])
        finally:
            c.close()

        # A file that is not a session: exit 1.
        junk = os.path.join(workdir, 'junk')
        with open(junk, 'w') as f:
            f.write('hello\n')
        r = signin(exe, port, ['--check', junk, '--api-id', '1'])
        steps.check(r.code == 1 and 'not a JSON object' in r.err, '--check of a junk file: exit 1', str(r))
    except Stop:
        pass
    except Exception as e:  # the report is the failure
        steps.check(False, 'unexpected error', '%s: %s' % (type(e).__name__, e))
    finally:
        code = daemon.stop() if daemon else None
        # A sanitizer report also makes the exit status non-zero: that catches one whose lines the
        # harness has not read from the pipe yet.
        reports = sanitizer_reports(STARTED)
        steps.check(not reports and code in (0, None), 'no sanitizer report in the daemon log',
                    'exit %s\n%s' % (code, '\n'.join(reports[:20])))
        if steps.failed:
            for d in STARTED:
                print('---- mtjson log (last lines) ----\n' + '\n'.join(d.log[-60:]) + '\n---- end ----', flush=True)
        shutil.rmtree(workdir, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--mtjson', required=True)
    parser.add_argument('--signin', required=True)
    args = parser.parse_args()

    def over_time(*_):
        print('FAIL whole run over %d s' % WHOLE_RUN_SECONDS, flush=True)
        for d in STARTED:  # not left running after os._exit
            d.proc.kill()
        os._exit(1)

    signal.signal(signal.SIGALRM, over_time)
    signal.alarm(WHOLE_RUN_SECONDS)
    steps = Steps()
    run(args, steps)
    return steps.finish()


if __name__ == '__main__':
    sys.exit(main())
