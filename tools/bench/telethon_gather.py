#!/usr/bin/python3
"""The baseline of tools/bench/compare.py: Telethon (pure Python) connected straight to a test DC,
keeping --inflight calls in flight with asyncio.gather, for --duration seconds.

Prints one JSON line: {"requests": N, "seconds": S, "requests_per_s": R, "p50_ms": ...}.
Run with Debian's /usr/bin/python3 (python3-telethon). Telethon packs the queued calls of one
gather into msg_containers, as every mature MTProto client does.
"""
import argparse
import asyncio
import json
import statistics
import sys
import time


def pkcs1_pem(pem_text):
    """Telethon's key list takes PKCS#1; the test DC may print SubjectPublicKeyInfo."""
    import rsa  # Debian python3-rsa, a dependency of python3-telethon
    if 'BEGIN RSA PUBLIC KEY' in pem_text:
        key = rsa.PublicKey.load_pkcs1(pem_text.encode())
    else:
        key = rsa.PublicKey.load_pkcs1_openssl_pem(pem_text.encode())
    return key.save_pkcs1().decode()


async def run(args):
    from telethon import TelegramClient, functions, network
    from telethon.crypto import rsa as telethon_rsa
    from telethon.sessions import StringSession

    with open(args.key) as f:
        telethon_rsa.add_key(pkcs1_pem(f.read()), old=False)
    host, port = args.server.rsplit(':', 1)
    client = TelegramClient(StringSession(), 12345, '0123456789abcdef0123456789abcdef',
                            connection=getattr(network, args.transport), timeout=10,
                            connection_retries=1, retry_delay=0, auto_reconnect=False,
                            device_model='mtjson compare', app_version='1.0')
    client.session.set_dc(1, host, int(port))
    await asyncio.wait_for(client.connect(), 30)
    try:
        # The auth key exists after connect; one call declares the layer (initConnection).
        await asyncio.wait_for(client(functions.help.GetNearestDcRequest()), 30)

        latencies = []

        async def one():
            t = time.perf_counter()
            await client(functions.help.GetNearestDcRequest())
            latencies.append(time.perf_counter() - t)

        done = 0
        start = time.perf_counter()
        deadline = start + args.duration
        while time.perf_counter() < deadline:
            await asyncio.wait_for(asyncio.gather(*(one() for _ in range(args.inflight))), 30)
            done += args.inflight
        seconds = time.perf_counter() - start
    finally:
        await client.disconnect()
    latencies.sort()
    return {
        'requests': done,
        'seconds': round(seconds, 3),
        'requests_per_s': round(done / seconds, 1),
        'p50_ms': round(statistics.median(latencies) * 1000, 3) if latencies else None,
    }


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--server', required=True, help='test DC 1 as HOST:PORT')
    p.add_argument('--key', required=True, help="PEM file with the test DC's public RSA key")
    p.add_argument('--inflight', type=int, default=32, help='calls per gather (32)')
    p.add_argument('--duration', type=float, default=5.0, help='seconds to measure (5)')
    p.add_argument('--transport', default='ConnectionTcpFull',
                   help="Telethon connection class (ConnectionTcpFull, Telethon's default)")
    args = p.parse_args()
    if args.inflight < 1 or args.duration <= 0:
        sys.exit('telethon_gather: --inflight must be >= 1 and --duration > 0')
    try:
        print(json.dumps(asyncio.run(run(args))), flush=True)
    except Exception as e:  # the library's error is the report
        sys.exit('telethon_gather: %s: %s' % (type(e).__name__, e))


if __name__ == '__main__':
    main()
