#!/usr/bin/python3
"""mtjson against Telethon on the same test DC, and the daemon's own figures, in one run.

Starts one mtjson-testdc and one mtjson (pointed at it with --server/--rsa), then:
  1. alternates, for --rounds rounds of --seconds each: Telethon connected straight to the test DC
     doing asyncio.gather of 32 help.getNearestDc (tools/bench/telethon_gather.py), and
     mtjson-bench --clients 1 --inflight 32 of the same call through mtjson; prints both medians
     and their ratio;
  2. mtjson-bench 10 x 32 with getNearestDc, ping and server (the daemon alone), and 1 x 1
     (latency), each once, with the ratio of the Telegram methods to --method server;
  3. with --memory N: N idle clients that each make one Telegram call (their own session and DC
     connection in the daemon), and the daemon's RSS growth per connection;
  4. with --strace: syscalls per request of the daemon process at 10 x 32 ping (strace -c -f).
Machines are noisy: compare the figures of one run with each other, not across runs.

Usage: tools/bench/compare.py [--build DIR] [--rounds 3] [--seconds 5] [--memory 1000] [--strace]
"""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NEAREST = '{"_cons":"help.getNearestDc"}'


def free_port_block(count):
    """A base port P with P..P+count-1 free on 127.0.0.1 now."""
    for _ in range(100):
        with socket.socket() as s:
            s.bind(('127.0.0.1', 0))
            base = s.getsockname()[1]
        if base + count > 65535:
            continue
        held = []
        try:
            for p in range(base, base + count):
                t = socket.socket()
                held.append(t)
                t.bind(('127.0.0.1', p))
            return base
        except OSError:
            continue
        finally:
            for t in held:
                t.close()
    sys.exit('compare: no block of %d free ports' % count)


def wait_port(port, proc, what, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit('compare: %s exited with %s before listening' % (what, proc.returncode))
        try:
            with socket.create_connection(('127.0.0.1', port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    sys.exit('compare: %s does not listen on %d after %d s' % (what, port, timeout))


def stop(proc):
    if proc and proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run_json(cmd, what, timeout):
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    start = r.stdout.find('{')
    if r.returncode != 0 or start < 0:
        sys.exit('compare: %s failed (exit %d): %s' % (what, r.returncode, (r.stderr or r.stdout).strip()[-800:]))
    try:
        return json.loads(r.stdout[start:]), r.stderr
    except ValueError as e:
        sys.exit('compare: %s printed no JSON summary (%s): %s' % (what, e, r.stdout[-400:]))


class Setup:
    def __init__(self, build):
        self.build = build
        self.testdc_exe = os.path.join(build, 'tools/testdc/mtjson-testdc')
        self.mtjson_exe = os.path.join(build, 'tools/mtjson/mtjson')
        self.bench_exe = os.path.join(build, 'tools/bench/mtjson-bench')
        for exe in (self.testdc_exe, self.mtjson_exe, self.bench_exe):
            if not os.access(exe, os.X_OK):
                sys.exit('compare: %s not built (see --build)' % exe)
        self.tmp = tempfile.mkdtemp(prefix='mtjson-compare-')
        self.testdc = self.daemon = None

    def start(self):
        data = os.path.join(self.tmp, 'testdc')
        key = subprocess.run([self.testdc_exe, '--print-public-key', '--data', data],
                             capture_output=True, text=True, timeout=60)
        if key.returncode != 0 or 'BEGIN' not in key.stdout:
            sys.exit('compare: mtjson-testdc --print-public-key failed: ' + key.stderr.strip())
        self.key = os.path.join(self.tmp, 'testdc.pem')
        with open(self.key, 'w') as f:
            f.write(key.stdout)
        self.testdc_port = free_port_block(3)
        log = open(os.path.join(self.tmp, 'testdc.log'), 'wb')
        self.testdc = subprocess.Popen([self.testdc_exe, '--port', str(self.testdc_port), '--data', data],
                                       stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        wait_port(self.testdc_port, self.testdc, 'mtjson-testdc')
        self.start_daemon()

    def start_daemon(self):
        """A fresh mtjson (the memory figure must not reuse the heap of earlier runs)."""
        stop(self.daemon)
        self.daemon_port = free_port_block(1)
        log = open(os.path.join(self.tmp, 'mtjson.log'), 'ab')
        self.daemon = subprocess.Popen(
            [self.mtjson_exe, '--port', str(self.daemon_port), '--dc', '1',
             '--server', '127.0.0.1:%d' % self.testdc_port, '--rsa', self.key],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        wait_port(self.daemon_port, self.daemon, 'mtjson')

    def close(self):
        stop(self.daemon)
        stop(self.testdc)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def bench(self, args, timeout=600):
        cmd = [self.bench_exe, '--port', str(self.daemon_port), '--pid-daemon', str(self.daemon.pid),
               '--pid-testdc', str(self.testdc.pid), '--json'] + args
        return run_json(cmd, 'mtjson-bench ' + ' '.join(args), timeout)[0]

    def telethon(self, seconds):
        cmd = ['/usr/bin/python3', os.path.join(ROOT, 'tools/bench/telethon_gather.py'),
               '--server', '127.0.0.1:%d' % self.testdc_port, '--key', self.key,
               '--inflight', '32', '--duration', str(seconds)]
        return run_json(cmd, 'telethon_gather', seconds + 120)[0]


def rate(j):
    return j['requests_per_s']


def p50(j):
    lat = j.get('latency_ms') or {}
    return lat.get('p50')


def strace_count(setup, args):
    """Runs mtjson-bench under `strace -c -f -p DAEMON`; returns (syscalls by name, requests)."""
    out = os.path.join(setup.tmp, 'strace.txt')
    tracer = subprocess.Popen(['strace', '-c', '-f', '-o', out, '-p', str(setup.daemon.pid)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(1.0)  # strace attaches to every thread
    j = setup.bench(args)
    tracer.send_signal(signal.SIGINT)
    tracer.wait(30)
    calls = {}
    with open(out) as f:
        for line in f:
            m = re.match(r'\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(\w+)\s*$', line)
            if m and m.group(2) != 'total':
                calls[m.group(2)] = int(m.group(1))
    # Everything the bench sent, setup (init) and warm-up included, crossed the traced daemon.
    return calls, j['sent'] + j['clients'] + j.get('warmup_answers', 0), j


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--build', default=os.path.join(ROOT, 'build-release'),
                   help='build directory with mtjson, mtjson-testdc and mtjson-bench (build-release)')
    p.add_argument('--rounds', type=int, default=3)
    p.add_argument('--seconds', type=float, default=5.0)
    p.add_argument('--memory', type=int, default=0, metavar='N',
                   help='also measure N idle clients with their own DC connection')
    p.add_argument('--strace', action='store_true', help='also count the daemon\'s syscalls per request')
    p.add_argument('--json', action='store_true', help='print every figure as one JSON object at the end')
    args = p.parse_args()

    setup = Setup(args.build)
    figures = {}
    try:
        setup.start()
        print('test DC pid %d on %d, mtjson pid %d on %d' %
              (setup.testdc.pid, setup.testdc_port, setup.daemon.pid, setup.daemon_port), flush=True)
        dur = ['--duration', str(args.seconds), '--warmup', '0.5']
        one_x_32 = ['--clients', '1', '--inflight', '32', '--method', 'raw', '--message', NEAREST] + dur
        tele, ours = [], []
        for r in range(args.rounds):
            t = setup.telethon(args.seconds)
            m = setup.bench(one_x_32)
            tele.append(rate(t))
            ours.append(rate(m))
            print('round %d: Telethon gather-32 %.0f req/s (p50 %s ms), mtjson 1 x 32 %.0f req/s (p50 %s ms)' %
                  (r + 1, rate(t), t['p50_ms'], rate(m), p50(m)), flush=True)
        figures['telethon_gather32'] = statistics.median(tele)
        figures['mtjson_1x32'] = statistics.median(ours)
        figures['ratio_1x32_vs_telethon'] = figures['mtjson_1x32'] / figures['telethon_gather32']
        print('medians: Telethon %.0f req/s, mtjson %.0f req/s: ratio %.2f' %
              (figures['telethon_gather32'], figures['mtjson_1x32'], figures['ratio_1x32_vs_telethon']), flush=True)

        ten = ['--clients', '10', '--inflight', '32'] + dur
        for name, extra in (('server', ['--method', 'server']),
                            ('getNearestDc', ['--method', 'raw', '--message', NEAREST]),
                            ('ping', ['--method', 'ping'])):
            j = setup.bench(ten + extra)
            figures['10x32_' + name] = rate(j)
            figures['10x32_' + name + '_p50_ms'] = p50(j)
            line = '10 x 32 %s: %.0f req/s, p50 %s ms' % (name, rate(j), p50(j))
            if name != 'server':
                line += ', %.2fx of --method server' % (rate(j) / figures['10x32_server'])
            print(line, flush=True)
        j = setup.bench(['--clients', '1', '--inflight', '1', '--method', 'raw', '--message', NEAREST] + dur)
        figures['1x1_p50_ms'] = p50(j)
        figures['1x1'] = rate(j)
        print('1 x 1 getNearestDc: %.0f req/s, p50 %s ms' % (rate(j), p50(j)), flush=True)

        if args.strace:
            if not shutil.which('strace'):
                sys.exit('compare: --strace needs strace')
            calls, requests, j = strace_count(setup, ['--clients', '10', '--inflight', '32', '--method', 'ping',
                                                      '--requests', '50000'])
            total = sum(calls.values())
            figures['syscalls_per_request'] = total / requests
            figures['getpid_per_request'] = calls.get('getpid', 0) / requests
            top = ', '.join('%s %d' % kv for kv in sorted(calls.items(), key=lambda kv: -kv[1])[:6])
            print('strace 10 x 32 ping: %d syscalls for %d requests = %.3f per request (getpid %.3f); %s' %
                  (total, requests, figures['syscalls_per_request'], figures['getpid_per_request'], top), flush=True)

        if args.memory:
            setup.start_daemon()
            j = setup.bench(['--clients', '1', '--inflight', '1', '--method', 'raw', '--message', NEAREST,
                             '--requests', '10', '--idle-clients', str(args.memory), '--idle-call',
                             '--setup-timeout', '600'], timeout=900)
            figures['kib_per_connection'] = j['daemon_rss_kib_per_connection']
            d = j['daemon']
            print('memory: %d idle clients with a DC connection each: daemon RSS %.1f -> %.1f MiB, %.1f KiB per '
                  'connection' % (args.memory, d['start_rss_kib'] / 1024, d['after_setup_rss_kib'] / 1024,
                                  figures['kib_per_connection']), flush=True)
    finally:
        setup.close()
    if args.json:
        print(json.dumps(figures))


if __name__ == '__main__':
    main()
