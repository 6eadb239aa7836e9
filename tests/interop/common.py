"""Shared pieces of the interop tests: find and run mtjson-testdc, read its RSA key, count steps.

Every wait is bounded: a test that cannot reach the server fails with a message, never hangs.
"""
import argparse
import asyncio
import glob
import hashlib
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_ROOT = os.environ.get('MTJSON_SOURCE_ROOT') or os.path.dirname(os.path.dirname(HERE))

# Any api_id/api_hash: the test DC does not check them.
API_ID = 12345
API_HASH = '0123456789abcdef0123456789abcdef'

# Phones: 99966XYYYY lives on DC X; the login code is X five times.
def login_code(phone):
    return phone[5] * 5


def phone_for(dc_id, tail):
    return '99966%d%04d' % (dc_id, tail)


def unique_tail():
    """Four digits that differ between runs, so a reused --data dir still gets fresh accounts."""
    return (os.getpid() * 7 + int(time.time())) % 10000


# ---------------------------------------------------------------- steps

class Steps:
    """Prints one line per step and the closing 'N passed, M failed' line."""

    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.start = time.monotonic()

    def _stamp(self):
        return '%5.1fs' % (time.monotonic() - self.start)

    def ok(self, name, detail=''):
        self.passed += 1
        print('PASS %s %s%s' % (self._stamp(), name, (': ' + detail) if detail else ''), flush=True)

    def fail(self, name, detail):
        self.failed += 1
        print('FAIL %s %s: %s' % (self._stamp(), name, detail), flush=True)

    def check(self, cond, name, detail=''):
        if cond:
            self.ok(name, detail)
        else:
            self.fail(name, detail or 'condition false')
        return cond

    def info(self, text):
        print('     %s %s' % (self._stamp(), text), flush=True)

    def finish(self):
        print('%d passed, %d failed' % (self.passed, self.failed), flush=True)
        return 1 if self.failed or not self.passed else 0


class StepFailed(Exception):
    """A step that later steps depend on failed: stop the flow (already counted)."""


async def step(steps, name, coro, timeout=15.0, required=True):
    """Runs one awaited step under a timeout; records PASS/FAIL. Returns the result or None."""
    try:
        result = await asyncio.wait_for(coro, timeout)
    except asyncio.TimeoutError:
        steps.fail(name, 'timed out after %.0f s' % timeout)
        if required:
            raise StepFailed(name)
        return None
    except StepFailed:
        raise
    except Exception as e:  # the client library's error is the report
        steps.fail(name, '%s: %s' % (type(e).__name__, e))
        if required:
            raise StepFailed(name)
        return None
    return result


# ---------------------------------------------------------------- RSA key

def _tl_bytes(b):
    """TL 'bytes' serialization, as hashed for an RSA key fingerprint ("Creating an Authorization Key")."""
    n = len(b)
    if n < 254:
        out = bytes([n]) + b
    else:
        out = bytes([254]) + struct.pack('<I', n)[:3] + b
    return out + b'\0' * (-len(out) % 4)


def _int_bytes(i):
    return i.to_bytes((i.bit_length() + 7) // 8, 'big')


def load_public_key(pem_text):
    """Returns (n, e, fingerprint, pkcs1_pem) from a PKCS#1 or SubjectPublicKeyInfo PEM."""
    import rsa  # Debian python3-rsa, a dependency of python3-telethon
    if 'BEGIN RSA PUBLIC KEY' in pem_text:
        key = rsa.PublicKey.load_pkcs1(pem_text.encode())
    else:
        key = rsa.PublicKey.load_pkcs1_openssl_pem(pem_text.encode())
    digest = hashlib.sha1(_tl_bytes(_int_bytes(key.n)) + _tl_bytes(_int_bytes(key.e))).digest()
    fingerprint = struct.unpack('<q', digest[-8:])[0]
    return key.n, key.e, fingerprint, key.save_pkcs1().decode()


# ---------------------------------------------------------------- the server

def find_testdc(explicit=None):
    if explicit:
        return explicit
    if os.environ.get('MTJSON_TESTDC'):
        return os.environ['MTJSON_TESTDC']
    for pattern in ('build/tools/testdc/mtjson-testdc', 'build*/tools/testdc/mtjson-testdc'):
        for path in sorted(glob.glob(os.path.join(SOURCE_ROOT, pattern))):
            if os.access(path, os.X_OK):
                return path
    return None


def free_port_block(count=3, tries=50):
    """A base port P such that P..P+count-1 are free on 127.0.0.1 right now."""
    for _ in range(tries):
        with socket.socket() as s:
            s.bind(('127.0.0.1', 0))
            base = s.getsockname()[1]
        if base + count > 65535:
            continue
        socks = []
        try:
            for p in range(base, base + count):
                t = socket.socket()
                socks.append(t)
                t.bind(('127.0.0.1', p))
            return base
        except OSError:
            continue
        finally:
            for t in socks:
                t.close()
    raise RuntimeError('no block of %d free ports found' % count)


def _port_open(port):
    try:
        with socket.create_connection(('127.0.0.1', port), timeout=0.5):
            return True
    except OSError:
        return False


def _die_with_parent():
    """In the child: SIGTERM when the test process dies (killed by a meson timeout, say)."""
    try:
        import ctypes
        ctypes.CDLL('libc.so.6', use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


SANITIZER_MARK = 'Sanitizer'  # "ERROR: AddressSanitizer", "LeakSanitizer", "SUMMARY: UndefinedBehaviorSanitizer"


def finish_server(steps, server):
    """Checks the server survived the flow, stops it, and fails on sanitizer reports."""
    if not server.alive():
        steps.fail('server still running at the end', 'exit code %s' % server.process.returncode)
    reports = server.stop()
    if reports:
        steps.fail('server sanitizer report', '\n'.join(reports[:20]))


class Server:
    """One mtjson-testdc process on 127.0.0.1 ports base..base+2, or an external one."""

    def __init__(self, host, base_port, pem, process=None, data_dir=None, log_path=None):
        self.host = host
        self.base_port = base_port
        self.pem = pem
        self.n, self.e, self.fingerprint, self.pkcs1_pem = load_public_key(pem)
        self.process = process
        self.data_dir = data_dir
        self.log_path = log_path

    def port(self, dc_id):
        return self.base_port + dc_id - 1

    def alive(self):
        return self.process is None or self.process.poll() is None

    def log_tail(self, lines=40):
        if not self.log_path or not os.path.exists(self.log_path):
            return ''
        with open(self.log_path, errors='replace') as f:
            return ''.join(f.readlines()[-lines:])

    def stop(self):
        """Stops the server; returns its sanitizer reports (ASan/LSan/UBSan lines), if any."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        reports = []
        if self.log_path and os.path.exists(self.log_path):
            with open(self.log_path, errors='replace') as f:
                reports = [l.rstrip() for l in f if SANITIZER_MARK in l or 'runtime error:' in l]
        if self.data_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)
        return reports


def start_server(testdc, extra_args=(), steps=None):
    """Starts mtjson-testdc with a fresh --data dir on free ports; waits until all 3 DCs accept."""
    data_dir = tempfile.mkdtemp(prefix='mtjson-interop-')
    key = subprocess.run([testdc, '--print-public-key', '--data', data_dir],
                         capture_output=True, text=True, timeout=30)
    if key.returncode != 0 or 'BEGIN' not in key.stdout:
        shutil.rmtree(data_dir, ignore_errors=True)
        raise RuntimeError('mtjson-testdc --print-public-key failed (exit %d): %s'
                           % (key.returncode, key.stderr.strip()[-500:]))
    log_path = os.path.join(data_dir, 'server.log')
    for attempt in range(3):
        base = free_port_block()
        log = open(log_path, 'ab')
        cmd = [testdc, '--port', str(base), '--data', data_dir] + list(extra_args)
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                preexec_fn=_die_with_parent)
        log.close()
        server = Server('127.0.0.1', base, key.stdout, proc, data_dir, log_path)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and proc.poll() is None:
            if all(_port_open(base + i) for i in range(3)):
                if steps:
                    steps.info('server: %s (pid %d)' % (' '.join(cmd), proc.pid))
                return server
            time.sleep(0.1)
        tail = server.log_tail()
        server.data_dir = None  # keep the key for the next attempt
        server.stop()
        if attempt == 2:
            shutil.rmtree(data_dir, ignore_errors=True)
            raise RuntimeError('mtjson-testdc did not start listening; its log:\n' + tail)
    raise AssertionError('unreachable')


def server_supports(testdc, flag):
    """Whether `mtjson-testdc --help` mentions a flag (features still being added)."""
    try:
        r = subprocess.run([testdc, '--help'], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return flag in (r.stdout + r.stderr)


def add_server_args(parser):
    parser.add_argument('--testdc', help='mtjson-testdc executable (default: $MTJSON_TESTDC or build*/)')
    parser.add_argument('--server', help='use a running server HOST:PORT (DC 1; DC n at PORT+n-1)')
    parser.add_argument('--key', help='PEM file with the running server\'s public key (with --server)')
    parser.add_argument('--verbose', action='store_true', help='client library debug logs')


SKIP = 77  # meson: the test is skipped


def open_server(args, steps, extra_args=()):
    """The server named by --server/--key, or a new one. Exits 77 (skip) if there is no binary."""
    if args.server:
        if not args.key:
            sys.exit('--server needs --key')
        host, port = args.server.rsplit(':', 1)
        with open(args.key) as f:
            return Server(host, int(port), f.read())
    testdc = find_testdc(args.testdc)
    if not testdc:
        print('SKIP: mtjson-testdc not found (build it, or pass --testdc/--server)', flush=True)
        sys.exit(SKIP)
    return start_server(testdc, extra_args, steps)


# ---------------------------------------------------------------- client logs

class LogTail:
    """Keeps the last lines of the client library's debug log, printed when a step fails."""

    def __init__(self, verbose, size=80):
        import collections
        import logging
        self.lines = collections.deque(maxlen=size)
        tail = self

        class _Handler(logging.Handler):
            def emit(self, record):
                tail.lines.append(self.format(record))

        handler = _Handler()
        handler.setFormatter(logging.Formatter('%(asctime)s %(name)s %(levelname)s %(message)s'))
        root = logging.getLogger()
        root.setLevel(logging.DEBUG)
        root.addHandler(handler)
        if verbose:
            stream = logging.StreamHandler(sys.stderr)
            stream.setFormatter(handler.formatter)
            root.addHandler(stream)

    def dump(self, title='client log (last lines)'):
        print('---- %s ----' % title, flush=True)
        for line in self.lines:
            print('     ' + line, flush=True)
        print('---- end ----', flush=True)


# ---------------------------------------------------------------- Telethon

def telethon_client(server, dc_id=1, transport='ConnectionTcpFull'):
    """A Telethon client with an empty StringSession pointed at the test DC `dc_id`.

    Telethon knows only Telegram's keys: the test DC's key is added to its list, and
    session.set_dc replaces the production address. Other DCs come from help.getConfig.
    transport: ConnectionTcpFull, ConnectionTcpAbridged, ConnectionTcpIntermediate or
    ConnectionTcpObfuscated (the server detects each by its first bytes).
    """
    from telethon import TelegramClient, network
    from telethon.crypto import rsa as telethon_rsa
    from telethon.sessions import StringSession
    telethon_rsa.add_key(server.pkcs1_pem, old=False)
    client = TelegramClient(StringSession(), API_ID, API_HASH,
                            connection=getattr(network, transport),
                            timeout=5, connection_retries=1, retry_delay=0,
                            request_retries=3, auto_reconnect=False,
                            device_model='mtjson interop', app_version='1.0')
    client.session.set_dc(dc_id, server.host, server.port(dc_id))
    return client
