#!/usr/bin/env python3
"""Cross-implementation check of mtjson's TL codec against Telethon 1.25.

Telethon 1.25.1 (Debian python3-telethon, generated from layer 144) is the
oracle. For every combinator of tl/api-144.tl (constructors and methods)
random objects are generated from a fixed seed, then for each object:

  a. our JSON  -> `mtjson-tl encode` -> must equal bytes(telethon_object)
  b. bytes(telethon_object) -> `mtjson-tl decode` -> must equal our JSON
  c. our encoded bytes -> Telethon's BinaryReader -> must equal the object

Each direction is one batch run of mtjson-tl. `--selftest` checks only the
JSON <-> Telethon mapping (no mtjson-tl needed).

Exit status: 0 only if nothing failed, at least --min-objects objects were
checked and every combinator of the api schema was covered; 77 (meson's
"skipped") if Telethon is not installed.
"""

import argparse
import json
import os
import random
import struct
import subprocess
import sys

TELETHON_PYTHON = '/usr/bin/python3'


def _ensure_telethon():
    try:
        import telethon  # noqa: F401
        return
    except ImportError:
        pass
    # meson's `python3` may be another interpreter; Debian's python3-telethon
    # lives in the system one.
    if (os.path.realpath(sys.executable) != os.path.realpath(TELETHON_PYTHON)
            and os.path.exists(TELETHON_PYTHON)
            and not os.environ.get('XCHECK_REEXEC')):
        os.environ['XCHECK_REEXEC'] = '1'
        os.execv(TELETHON_PYTHON, [TELETHON_PYTHON] + sys.argv)
    print('SKIP: Telethon is not importable (install Debian python3-telethon)')
    sys.exit(77)


_ensure_telethon()
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import telethon  # noqa: E402
from telethon.tl import alltlobjects  # noqa: E402

import xcheck_schema as xs  # noqa: E402
from xcheck_gen import Generator, PRIMITIVES  # noqa: E402
from xcheck_telethon import Mapper, CORE_BOOL  # noqa: E402

EXPECTED_LAYER = 144


# ---------------------------------------------------------------------------
# Comparison helpers


def json_diff(expected, actual, path='$'):
    """First difference between canonical `expected` and `actual`, or None.

    Strict about types: a bool never equals a number, an int expected must
    be an int; a double expected accepts an integral JSON number but must
    have the same IEEE bits (so -0.0 != 0.0).
    """
    if isinstance(expected, bool) or isinstance(actual, bool):
        if type(expected) is not type(actual) or expected != actual:
            return '%s: expected %s, got %s' % (path, _short(expected), _short(actual))
        return None
    if isinstance(expected, float):
        if (isinstance(actual, (int, float))
                and struct.pack('<d', expected) == struct.pack('<d', float(actual))):
            return None
        return '%s: expected double %r, got %s' % (path, expected, _short(actual))
    if isinstance(expected, int):
        if isinstance(actual, int) and actual == expected:
            return None
        return '%s: expected %d, got %s' % (path, expected, _short(actual))
    if isinstance(expected, str):
        if isinstance(actual, str) and actual == expected:
            return None
        if isinstance(actual, str):
            i = next((k for k, (a, b) in enumerate(zip(expected, actual)) if a != b),
                     min(len(expected), len(actual)))
            return '%s: strings differ at char %d (len %d vs %d): expected %s, got %s' % (
                path, i, len(expected), len(actual),
                _short(expected[max(0, i - 5):i + 10]), _short(actual[max(0, i - 5):i + 10]))
        return '%s: expected string, got %s' % (path, _short(actual))
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return '%s: expected array, got %s' % (path, _short(actual))
        if len(expected) != len(actual):
            return '%s: expected %d elements, got %d' % (path, len(expected), len(actual))
        for i, (e, a) in enumerate(zip(expected, actual)):
            d = json_diff(e, a, '%s[%d]' % (path, i))
            if d:
                return d
        return None
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return '%s: expected object, got %s' % (path, _short(actual))
        sub = path if expected.get('_cons') is None else '%s<%s>' % (path, expected['_cons'])
        for k in expected:
            if k not in actual:
                return '%s.%s: missing' % (sub, k)
            d = json_diff(expected[k], actual[k], '%s.%s' % (sub, k))
            if d:
                return d
        for k in actual:
            if k not in expected:
                return '%s.%s: unexpected field (%s)' % (sub, k, _short(actual[k]))
        return None
    if expected is None and actual is None:
        return None
    return '%s: expected %s, got %s' % (path, _short(expected), _short(actual))


def _short(v, limit=60):
    s = json.dumps(v, ensure_ascii=True) if not isinstance(v, bytes) else v.hex()
    return s if len(s) <= limit else s[:limit] + '...(%d chars)' % len(s)


def bytes_diff(expected, actual):
    if expected == actual:
        return None
    n = min(len(expected), len(actual))
    i = next((k for k in range(n) if expected[k] != actual[k]), n)
    lo = max(0, i - 8)
    return ('first difference at byte %d (lengths %d vs %d): expected ...%s..., got ...%s...'
            % (i, len(expected), len(actual), expected[lo:i + 12].hex(), actual[lo:i + 12].hex()))


# ---------------------------------------------------------------------------
# Generation


def telethon_quirks(comb, field, ctx):
    """Value restrictions needed because of Telethon, not of TL.

    - `flags.N?Bool` set to false: Telethon computes the flag as
      `value is None or value is False`, so it drops a present `false`.
    - message.media = messageMediaEmpty: Telethon's patched Message turns it
      into None (drops the field).
    - message*/from_id, peer_id: Telethon's patched Message calls
      utils.get_peer_id, which rewrites chat/channel ids outside
      (0, 9999999999] in place.
    """
    if field.is_optional and field.type == 'Bool':
        return {'value': lambda: True}
    if comb.name == 'message' and field.name == 'media':
        return {'exclude_cons': {'messageMediaEmpty'}}
    if comb.name in ('message', 'messageService', 'messageEmpty') and \
            field.name in ('from_id', 'peer_id'):
        return {'peer_ids_small': True}
    return None


class Case:
    __slots__ = ('comb', 'variant', 'json', 'wire_json', 'tags', 'tele_bytes',
                 'our_bytes', 'decoded', 'failures', 'core')

    def __init__(self, comb, variant, j):
        self.comb = comb
        self.variant = variant
        self.json = j
        self.wire_json = None
        self.tags = set()
        self.tele_bytes = None
        self.our_bytes = None
        self.decoded = None
        self.failures = []
        self.core = False


def gate(mapper, j):
    """Telethon must round-trip the object itself; returns (bytes, reason)."""
    try:
        data = mapper.serialize(j)
    except Exception as e:  # Telethon refused the values
        return None, 'Telethon cannot serialize: %s: %s' % (type(e).__name__, e)
    try:
        back = mapper.parse(data)
    except Exception as e:
        return None, 'Telethon cannot parse its own bytes: %s: %s' % (type(e).__name__, e)
    d = json_diff(j, back)
    if d:
        return None, 'Telethon does not round-trip: %s' % d
    return data, None


def wire_variant(schema, j, rng, tags):
    """The JSON we feed to `encode`: same value, legal alternative spellings.

    - some `long` values as decimal strings (documented input form);
    - some objects carry a bogus `flags` value (`#` fields are ignored);
    - some objects have their fields in shuffled order (`_cons` kept first).
    """
    comb = schema_by_name[j['_cons']]
    out = {}
    items = [(k, v) for k, v in j.items() if k != '_cons']
    if len(items) > 1 and rng.random() < 0.1:
        rng.shuffle(items)
        tags.add('shuffled-fields')
    out['_cons'] = j['_cons']
    types = {f.name: f.type for f in comb.value_fields()}
    for k, v in items:
        out[k] = _wire_value(schema, types[k], v, rng, tags)
    flag_words = [f.name for f in comb.fields if f.is_flag_word]
    if flag_words and rng.random() < 0.05:
        out[flag_words[0]] = rng.randint(0, 2**31 - 1)
        tags.add('bogus-flags-ignored')
    return out


def _wire_value(schema, t, v, rng, tags):
    inner = xs.vector_inner(t)
    if inner is not None:
        return [_wire_value(schema, inner, x, rng, tags) for x in v]
    if t == 'long' and rng.random() < 0.1:
        tags.add('long-as-string')
        return str(v)
    if isinstance(v, dict):
        return wire_variant(schema, v, rng, tags)
    return v


schema_by_name = {}


def build_cases(args, schema, mapper, api_combs, extra_combs):
    rng = random.Random(args.seed)
    api_functions = [c for c in api_combs if c.is_function]
    gen = Generator(schema, rng, max_depth=args.max_depth, functions=api_functions,
                    quirks=telethon_quirks)
    cases, skipped = [], []
    for comb in api_combs + extra_combs:
        core = mapper.telethon_class(comb) is None
        if core and not mapper.composable_core(comb):
            skipped.append((comb, 'Telethon has no class for it'))
            continue
        if not core:
            err = mapper.check_names(comb)
            if err:
                skipped.append((comb, err))
                continue
        has_flags = any(f.is_optional for f in comb.value_fields())
        if has_flags:
            variants = ['all', 'none', 'random']
        elif comb.value_fields():
            variants = ['random', 'random']
        else:
            variants = ['random']
        for variant in variants:
            reason = None
            for _attempt in range(8):
                try:
                    j = gen.gen_object(comb, 0, variant)
                except ValueError as e:
                    reason = 'generator: %s' % e
                    break
                data, reason = gate(mapper, j)
                if data is not None:
                    c = Case(comb, variant, j)
                    c.tele_bytes = data
                    c.core = core
                    cases.append(c)
                    break
            else:
                skipped.append((comb, '%s variant: %s' % (variant, reason)))
    # Decode-only: invalid UTF-8 in a TL string becomes U+FFFD. Only byte
    # sequences whose replacement count is unambiguous (isolated bytes that
    # can never start or continue a sequence here).
    from telethon.tl.types import DataJSON
    for raw in (b'\xff', b'a\x80b', b'ok\xfe\xfe!', b'\xc3x', b'\xf5\xf6'):
        comb = schema_by_name['dataJSON']
        c = Case(comb, 'invalid-utf8', {'_cons': 'dataJSON',
                                        'data': raw.decode('utf-8', 'replace')})
        c.tele_bytes = bytes(DataJSON(data=raw))
        c.tags.add('decode-only')
        cases.append(c)
    for c in cases:
        if 'decode-only' not in c.tags:
            c.wire_json = wire_variant(schema, c.json, rng, c.tags)
    return cases, skipped


# ---------------------------------------------------------------------------
# mtjson-tl


def run_tool(args, mode, lines):
    cmd = [args.tl, mode]
    for s in args.schemas:
        cmd += ['--schema', s]
    data = ''.join(l + '\n' for l in lines)
    try:
        p = subprocess.run(cmd, input=data.encode('utf-8'), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=args.timeout)
    except subprocess.TimeoutExpired:
        return None, 'timed out after %ss' % args.timeout, None
    except OSError as e:
        return None, 'cannot run %s: %s' % (args.tl, e), None
    out = p.stdout.decode('utf-8', 'replace').split('\n')
    if out and out[-1] == '':
        out.pop()
    errs = {}
    for line in p.stderr.decode('utf-8', 'replace').splitlines():
        if line.startswith('line '):
            num = line[5:].split(':', 1)[0]
            if num.isdigit():
                errs.setdefault(int(num), line)
    status = None
    rejected = any(not l.strip() for l in out[:len(lines)]) or len(out) < len(lines)
    if p.returncode < 0 or p.returncode > 1 or (p.returncode == 1) != rejected:
        # Documented: status 1 exactly when some line failed.
        status = '%s exited with status %d (%s); stderr tail: %s' % (
            mode, p.returncode, 'some lines rejected' if rejected else 'no line rejected',
            p.stderr.decode('utf-8', 'replace')[-400:])
        TOOL_PROBLEMS.append(status)
    return out, status, errs


TOOL_PROBLEMS = []


def dump_line(j, rng, tags):
    ascii_only = rng.random() < 0.3
    if ascii_only:
        tags.add('ascii-escaped')
    return json.dumps(j, ensure_ascii=ascii_only, separators=(',', ':'))


def check_with_tool(args, mapper, cases):
    rng = random.Random(args.seed ^ 0x5eed)
    enc_cases = [c for c in cases if c.wire_json is not None]
    enc_lines = [dump_line(c.wire_json, rng, c.tags) for c in enc_cases]
    out, status, errs = run_tool(args, 'encode', enc_lines)
    if out is None:
        print('FATAL: encode: %s' % status)
        return False
    if status and not out:
        print('FATAL: %s' % status)
        return False
    if status:
        print('WARNING: %s' % status)
    for i, c in enumerate(enc_cases):
        if i >= len(out):
            c.failures.append(('encode', 'no output line (tool stopped early)'))
            continue
        line = out[i].strip()
        if not line:
            c.failures.append(('encode', 'rejected: %s' % errs.get(i + 1, '(no message)')))
            continue
        try:
            c.our_bytes = bytes.fromhex(line)
        except ValueError:
            c.failures.append(('encode', 'output is not hex: %s' % _short(line)))
            continue
        d = bytes_diff(c.tele_bytes, c.our_bytes)
        if d:
            c.failures.append(('encode', d))
        # c. Telethon must read our bytes back as the same object.
        try:
            back = mapper.parse(c.our_bytes)
            d = json_diff(c.json, back)
            if d:
                c.failures.append(('telethon-parse', d))
        except Exception as e:
            c.failures.append(('telethon-parse', 'Telethon cannot parse our bytes: %s: %s'
                               % (type(e).__name__, e)))
    if len(out) > len(enc_cases):
        print('WARNING: encode printed %d lines for %d inputs' % (len(out), len(enc_cases)))

    dec_lines = [c.tele_bytes.hex() for c in cases]
    out, status, errs = run_tool(args, 'decode', dec_lines)
    if out is None:
        print('FATAL: decode: %s' % status)
        return False
    if status and not out:
        print('FATAL: %s' % status)
        return False
    if status:
        print('WARNING: %s' % status)
    for i, c in enumerate(cases):
        if i >= len(out):
            c.failures.append(('decode', 'no output line (tool stopped early)'))
            continue
        line = out[i].strip()
        if not line:
            c.failures.append(('decode', 'rejected: %s' % errs.get(i + 1, '(no message)')))
            continue
        try:
            c.decoded = json.loads(line)
        except ValueError as e:
            c.failures.append(('decode', 'output is not JSON (%s): %s' % (e, _short(line))))
            continue
        expected = c.json
        if c.comb.id in CORE_BOOL and c.decoded is CORE_BOOL[c.comb.id]:
            continue  # a top-level Bool may also be printed as a bare true/false
        d = json_diff(expected, c.decoded)
        if d:
            c.failures.append(('decode', d))
        elif isinstance(c.decoded, dict) and list(c.decoded)[:1] != ['_cons']:
            c.failures.append(('decode', '_cons is not the first key'))
        elif isinstance(c.decoded, dict):
            order_err = field_order_error(c.decoded)
            if order_err:
                c.failures.append(('decode', order_err))
    return True


def field_order_error(j, path='$'):
    """Output field order must be schema order (recursively)."""
    comb = schema_by_name.get(j.get('_cons'))
    if comb is None:
        return None
    names = [f.name for f in comb.value_fields() if f.name in j]
    got = [k for k in j if k != '_cons']
    if got != names:
        return '%s<%s>: field order %s, schema order %s' % (path, comb.name, got, names)
    for k in got:
        v = j[k]
        for x in (v if isinstance(v, list) else [v]):
            if isinstance(x, dict):
                e = field_order_error(x, '%s.%s' % (path, k))
                if e:
                    return e
    return None


# ---------------------------------------------------------------------------
# Selftest: the mapping alone, Telethon on both ends.


def selftest(mapper, cases):
    failed = 0
    for c in cases:
        if 'decode-only' in c.tags:
            continue
        problems = []
        try:
            # JSON -> Telethon object -> JSON is the identity...
            if not c.core:
                d = json_diff(c.json, mapper.from_telethon(mapper.to_telethon(c.json)))
                if d:
                    problems.append('json->telethon->json: %s' % d)
            # ...and Telethon's parse of its bytes, mapped to JSON and back to
            # a Telethon object, serializes to the same bytes.
            again = mapper.serialize(mapper.parse(c.tele_bytes))
            d = bytes_diff(c.tele_bytes, again)
            if d:
                problems.append('bytes->json->bytes: %s' % d)
            # The wire spelling must mean the same value.
            d = json_diff(c.json, canonical(c.wire_json))
            if d:
                problems.append('wire variant: %s' % d)
        except Exception as e:  # MappingError or Telethon refusing a value
            problems.append('%s: %s' % (type(e).__name__, e))
        for p in problems:
            c.failures.append(('selftest', p))
        failed += bool(problems)
    return failed


def canonical(j):
    """Undo wire_variant: long strings -> ints, drop `#` fields."""
    comb = schema_by_name[j['_cons']]
    types = {f.name: f.type for f in comb.value_fields()}
    out = {'_cons': j['_cons']}
    for k, v in j.items():
        if k == '_cons' or k not in types:
            continue
        out[k] = _canonical_value(types[k], v)
    return out


def _canonical_value(t, v):
    inner = xs.vector_inner(t)
    if inner is not None:
        return [_canonical_value(inner, x) for x in v]
    if t == 'long' and isinstance(v, str):
        return int(v)
    if isinstance(v, dict):
        return canonical(v)
    return v


# ---------------------------------------------------------------------------


def count_nested(j, seen):
    if isinstance(j, dict):
        if '_cons' in j:
            seen.add(j['_cons'])
        for v in j.values():
            count_nested(v, seen)
    elif isinstance(j, list):
        for v in j:
            count_nested(v, seen)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--tl', help='path to the mtjson-tl executable')
    ap.add_argument('--source-root', default=os.path.normpath(os.path.join(here, '..', '..')))
    ap.add_argument('--seed', type=int, default=144)
    ap.add_argument('--max-depth', type=int, default=3)
    ap.add_argument('--min-objects', type=int, default=500)
    ap.add_argument('--timeout', type=float, default=240)
    ap.add_argument('--max-report', type=int, default=40,
                    help='failure lines to print (0 = all)')
    ap.add_argument('--selftest', action='store_true',
                    help='check the JSON <-> Telethon mapping only (no mtjson-tl)')
    ap.add_argument('--schema', action='append', dest='schema_override',
                    help='schema file passed to mtjson-tl (repeatable; default: '
                         'tl/api-144.tl and tl/mtproto.tl; the mtproto extras are '
                         'checked only when an mtproto.tl is among them)')
    ap.add_argument('--dump', help='write the generated cases (JSON, hex) to this file')
    args = ap.parse_args()
    if not args.selftest and not args.tl:
        ap.error('--tl is required unless --selftest')

    api_path = os.path.join(args.source_root, 'tl', 'api-144.tl')
    mtproto_path = os.path.join(args.source_root, 'tl', 'mtproto.tl')
    args.schemas = args.schema_override or [api_path, mtproto_path]
    with_mtproto = any(os.path.basename(p) == 'mtproto.tl' for p in args.schemas)

    print('Telethon %s, layer %d (%s)' % (telethon.__version__, alltlobjects.LAYER,
                                          sys.executable))
    if alltlobjects.LAYER != EXPECTED_LAYER:
        print('FATAL: Telethon layer %d, expected %d' % (alltlobjects.LAYER, EXPECTED_LAYER))
        return 1

    api = xs.parse_files([api_path])
    schema = xs.parse_files(args.schemas)
    schema_by_name.update({c.name: c for c in schema.combinators})
    mapper = Mapper(schema)
    api_combs = [schema.by_id[c.id] for c in api.combinators]
    api_ids = {c.id for c in api_combs}

    # Bonus: mtproto.tl combinators Telethon also knows (int128/int256 live
    # there). Bare/polymorphic fields (vector<%Message>, Object) are left out.
    extra = []
    for c in schema.combinators:
        if c.id in api_ids or not with_mtproto:
            continue
        if alltlobjects.tlobjects.get(c.id) is None:
            continue
        if any(f.type[0].islower() and f.type not in PRIMITIVES
               for f in c.value_fields()) or any(f.type == 'Object' for f in c.fields):
            continue
        extra.append(c)

    cases, skipped = build_cases(args, schema, mapper, api_combs, extra)

    covered = {c.comb.id for c in cases}
    api_cons = [c for c in api_combs if not c.is_function]
    api_funcs = [c for c in api_combs if c.is_function]
    nested = set()
    for c in cases:
        count_nested(c.json, nested)

    print('schema: %d api combinators (%d constructors, %d methods), %d mtproto extras'
          % (len(api_combs), len(api_cons), len(api_funcs), len(extra)))
    print('generated %d objects (seed %d, max depth %d)' % (len(cases), args.seed,
                                                            args.max_depth))
    core = sorted({c.comb.name for c in cases if c.core})
    if core:
        print('checked with Telethon primitives (Telethon has no class): %s' % ', '.join(core))
    print('skipped: %d objects' % len(skipped))
    for name, why in dict.fromkeys((comb.name, why) for comb, why in skipped):
        print('  SKIP %s: %s' % (name, why))

    if args.dump:
        with open(args.dump, 'w', encoding='utf-8') as fh:
            for c in cases:
                fh.write(json.dumps({'variant': c.variant, 'json': c.wire_json or c.json,
                                     'hex': c.tele_bytes.hex()}, ensure_ascii=False) + '\n')

    if args.selftest:
        selftest(mapper, cases)
    else:
        if not check_with_tool(args, mapper, cases):
            print('0 passed, %d failed' % len(cases))
            return 1

    failed = [c for c in cases if c.failures]
    by_dir = {}
    for c in failed:
        for direction, _ in c.failures:
            by_dir[direction] = by_dir.get(direction, 0) + 1
    shown = 0
    for c in failed:
        for direction, msg in c.failures:
            if args.max_report and shown >= args.max_report:
                break
            tags = ' [%s]' % ','.join(sorted(c.tags)) if c.tags else ''
            print('FAIL %s (%s variant) %s%s: %s' % (c.comb.name, c.variant, direction,
                                                     tags, msg))
            shown += 1
    if args.max_report and sum(len(c.failures) for c in failed) > shown:
        print('... %d more failure lines (use --max-report 0)'
              % (sum(len(c.failures) for c in failed) - shown))
    if by_dir:
        print('failures by direction: %s' % ', '.join(
            '%s=%d' % kv for kv in sorted(by_dir.items())))
        names = sorted({c.comb.name for c in failed})
        print('failing combinators (%d): %s' % (len(names), ', '.join(names[:60])
                                                 + (' ...' if len(names) > 60 else '')))

    cov_cons = sum(1 for c in api_cons if c.id in covered)
    cov_funcs = sum(1 for c in api_funcs if c.id in covered)
    print('coverage: constructors %d/%d, methods %d/%d, mtproto extras %d/%d, '
          'distinct combinators seen nested or top-level %d'
          % (cov_cons, len(api_cons), cov_funcs, len(api_funcs),
             sum(1 for c in extra if c.id in covered), len(extra), len(nested)))
    missing = [c.name for c in api_combs if c.id not in covered]
    ok = True
    if missing:
        print('NOT COVERED: %s' % ', '.join(missing))
        ok = False
    if len(cases) < args.min_objects:
        print('too few objects: %d < %d' % (len(cases), args.min_objects))
        ok = False
    if TOOL_PROBLEMS:
        print('mtjson-tl exit status problems: %d (see WARNING lines)' % len(TOOL_PROBLEMS))
        ok = False
    n_failed = len(failed)
    print('%d passed, %d failed' % (len(cases) - n_failed, n_failed))
    return 0 if ok and n_failed == 0 else 1


if __name__ == '__main__':
    sys.exit(main())
