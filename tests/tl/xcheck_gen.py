"""Seeded random generator of TL objects in mtjson's JSON form.

The JSON produced here is the *canonical* form that mtjson-tl's decoder is
expected to print: `_cons` plus every present field, `long` as a JSON
integer, `bytes`/`int128`/`int256` as padded standard base64, absent
optional fields left out, `#` flag words left out.
"""

import base64
import math
import struct

import xcheck_schema as xs

INT_MIN, INT_MAX = -2**31, 2**31 - 1
LONG_MIN, LONG_MAX = -2**63, 2**63 - 1

PRIMITIVES = {'int', 'long', 'double', 'string', 'bytes', 'int128', 'int256',
              'Bool', 'true'}

# Text fragments mixed into generated strings: ASCII, JSON-escaped
# characters, 2/3/4-byte UTF-8, combining marks, U+2028 (a JSON/JS edge).
_FRAGMENTS = [
    'hello', 'Telegram', ' ', '"', '\\', '/', '\n', '\t', '\r', '\x00', '\x1f', '\x7f',
    'é', 'ß', 'Ω', 'привет', 'мир', 'עברית', 'العربية', '中文', '日本語', '한국어',
    '\u2028', '\u2029', '\ufeff', '\uffff', 'e\u0301', '😀', '👍🏽', '🇺🇦', '\U0010ffff',
    '𝔘𝔫𝔦𝔠𝔬𝔡𝔢', '<b>x</b>', '{"_cons":1}',
]

_DOUBLES = [0.0, -0.0, 1.0, -1.0, 0.5, 1.5, -2.25e-10, 3.141592653589793, 1e300,
            -1e-300, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308,
            -1.7976931348623157e308, 9007199254740993.0, 123456789.125]

_INTS = [0, 1, -1, 2, 255, 256, 65535, INT_MAX, INT_MIN, INT_MAX - 1, INT_MIN + 1]
_LONGS = [0, 1, -1, LONG_MAX, LONG_MIN, LONG_MAX - 1, LONG_MIN + 1,
          2**53, 2**53 + 1, -(2**53) - 1, 2**32, -(2**32), INT_MAX, INT_MIN]


def b64(data):
    return base64.b64encode(data).decode('ascii')


class Generator:
    """Random values for every TL field type.

    Depth is bounded: below `max_depth` optional flags are all off, vectors
    empty, and for each boxed type the constructor with the smallest
    required nesting is chosen, so generation always terminates.
    """

    def __init__(self, schema, rng, max_depth=3, functions=None, quirks=None):
        self.schema = schema
        self.rng = rng
        self.max_depth = max_depth
        # Functions that may be nested as `!X` queries.
        self.functions = functions if functions is not None else [
            c for c in schema.combinators if c.is_function]
        self.quirks = quirks or (lambda comb, field, ctx: None)
        self._cost = {}
        self._compute_costs()

    # -- termination helpers -------------------------------------------------

    def _required_object_types(self, comb):
        for f in comb.value_fields():
            if f.is_optional or xs.vector_inner(f.type) is not None:
                continue
            if f.type in PRIMITIVES:
                continue
            yield f.type

    def _compute_costs(self):
        inf = float('inf')
        cost_of = {}  # type name (or '!X') -> cost

        def type_cost(t):
            return cost_of.get(t, inf)

        comb_cost = {c.id: inf for c in self.schema.combinators}
        changed = True
        while changed:
            changed = False
            for c in self.schema.combinators:
                need = [type_cost(t) for t in self._required_object_types(c)]
                value = 1 + (max(need) if need else 0)
                if value < comb_cost[c.id]:
                    comb_cost[c.id] = value
                    changed = True
                key = '!X' if c.is_function else c.result
                if c.is_function and c not in self.functions:
                    continue
                if value < type_cost(key):
                    cost_of[key] = value
                    changed = True
        self._cost = comb_cost

    def cheapest(self, candidates):
        best = min(self._cost[c.id] for c in candidates)
        return [c for c in candidates if self._cost[c.id] == best]

    # -- primitive values ----------------------------------------------------

    def gen_int(self):
        r = self.rng.random()
        if r < 0.35:
            return self.rng.choice(_INTS)
        if r < 0.6:
            return self.rng.randint(-1000, 100000)
        return self.rng.randint(INT_MIN, INT_MAX)

    def gen_long(self):
        r = self.rng.random()
        if r < 0.35:
            return self.rng.choice(_LONGS)
        if r < 0.5:
            return self.rng.randint(-10**6, 10**10)
        return self.rng.randint(LONG_MIN, LONG_MAX)

    def gen_double(self):
        r = self.rng.random()
        if r < 0.5:
            return self.rng.choice(_DOUBLES)
        # Any finite bit pattern (JSON has no NaN/Infinity).
        while True:
            v = struct.unpack('<d', self.rng.getrandbits(64).to_bytes(8, 'little'))[0]
            if math.isfinite(v):
                return v

    def gen_string(self, depth):
        r = self.rng.random()
        if r < 0.08:
            return ''
        if r < 0.16:
            # Exactly around the 1-byte / 4-byte length-prefix boundary.
            return 'a' * self.rng.choice([1, 2, 3, 4, 252, 253, 254, 255, 256])
        if r < 0.26 and depth <= 1:
            return self._text(self.rng.randint(254, 700))
        if r < 0.262 and depth == 0:
            return self._text(self.rng.randint(65536, 70000))  # 3-byte length
        return self._text(self.rng.randint(1, 40))

    def _text(self, min_utf8):
        parts, size = [], 0
        while size < min_utf8:
            if self.rng.random() < 0.5:
                s = self.rng.choice(_FRAGMENTS)
            else:
                s = ''.join(chr(self.rng.choice([self.rng.randint(0x20, 0x7e),
                                                 self.rng.randint(0xa0, 0x7ff),
                                                 self.rng.randint(0x800, 0xd7ff),
                                                 self.rng.randint(0xe000, 0xfffd),
                                                 self.rng.randint(0x10000, 0x10ffff)]))
                            for _ in range(self.rng.randint(1, 8)))
            parts.append(s)
            size += len(s.encode('utf-8'))
        return ''.join(parts)

    def gen_bytes(self, depth, size=None):
        if size is None:
            r = self.rng.random()
            if r < 0.1:
                size = 0
            elif r < 0.3:
                size = self.rng.choice([1, 2, 3, 4, 5, 252, 253, 254, 255, 256, 257])
            elif r < 0.4 and depth <= 1:
                size = self.rng.randint(254, 1200)
            else:
                size = self.rng.randint(1, 64)
        return b64(self.rng.randbytes(size))

    # -- composite values ----------------------------------------------------

    def gen_value(self, type_name, depth, ctx):
        inner = xs.vector_inner(type_name)
        if inner is not None:
            if depth >= self.max_depth:
                n = 0
            else:
                n = self.rng.choice([0, 1, 1, 2, 3] if depth == 0 else [0, 1, 1, 2])
            if ctx.get('nonempty_vectors') and depth < self.max_depth:
                n = max(n, 1)
            return [self.gen_value(inner, depth + 1, {'peer_ids_small': ctx.get('peer_ids_small')})
                    for _ in range(n)]
        if type_name == 'int':
            return self.gen_int()
        if type_name == 'long':
            return self.gen_long()
        if type_name == 'double':
            return self.gen_double()
        if type_name == 'string':
            return self.gen_string(depth)
        if type_name == 'bytes':
            return self.gen_bytes(depth)
        if type_name == 'int128':
            return self.gen_bytes(depth, 16)
        if type_name == 'int256':
            return self.gen_bytes(depth, 32)
        if type_name == 'Bool':
            return self.rng.random() < 0.5
        if type_name == 'true':
            return True
        if type_name == '!X':
            cands = self.functions
        else:
            cands = self.schema.constructors_of(type_name)
        if not cands:
            raise ValueError('no constructor for type %s' % type_name)
        exclude = ctx.get('exclude_cons') or ()
        cands = [c for c in cands if c.name not in exclude] or cands
        if depth >= self.max_depth:
            cands = self.cheapest(cands)
        comb = self.rng.choice(cands)
        return self.gen_object(comb, depth + 1, 'random', ctx)

    def gen_object(self, comb, depth=0, flag_mode='random', ctx=None):
        """One object of `comb`. flag_mode: 'all', 'none' or 'random'."""
        ctx = ctx or {}
        limit = depth >= self.max_depth
        bits = {}
        for f in comb.value_fields():
            if f.is_optional:
                key = (f.flag_word, f.flag_bit)
                if key not in bits:
                    if flag_mode == 'all':
                        on = True
                    elif flag_mode == 'none' or limit:
                        on = False
                    else:
                        on = self.rng.random() < 0.5
                    bits[key] = on
        out = {'_cons': comb.name}
        for f in comb.value_fields():
            if f.is_optional and not bits[(f.flag_word, f.flag_bit)]:
                continue
            fctx = {'nonempty_vectors': flag_mode == 'all' and depth == 0,
                    'peer_ids_small': ctx.get('peer_ids_small')}
            extra = self.quirks(comb, f, fctx)
            if extra is not None and 'value' in extra:
                out[f.name] = extra['value']()
                continue
            if extra:
                fctx.update(extra)
            if f.type == 'long' and fctx.get('peer_ids_small'):
                out[f.name] = self.rng.randint(1, 9999999999)
                continue
            out[f.name] = self.gen_value(f.type, depth, fctx)
        return out
