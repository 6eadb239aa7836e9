"""Mapping between mtjson's JSON form and Telethon 1.25 objects.

Telethon (the oracle) is driven only through its public generated classes:
constructor = `alltlobjects.tlobjects[id]`, serializer = `bytes(obj)`,
parser = `BinaryReader(data).tgread_object()`.
"""

import base64
import inspect
import struct
from datetime import datetime

import xcheck_schema as xs

from telethon.extensions import BinaryReader
from telethon.tl import alltlobjects
from telethon.tl.tlobject import TLObject, _datetime_to_timestamp

TLOBJECTS = alltlobjects.tlobjects

# Telethon's generator renames TL argument names that clash with Python
# (observed in 1.25: `self` -> `is_self`; `from` would become `from_`).
_RENAMES = {'self': 'is_self', 'from': 'from_'}

# Constructors Telethon has no class for: it handles Bool and Vector inside
# its reader and never generates `true`, `error`, `null`. For the id-only
# and primitive-only ones the oracle bytes are composed from Telethon's
# own primitive serializers (TLObject.serialize_bytes, struct) and parsed
# back with BinaryReader primitives.
CORE_BOOL = {0x997275b5: True, 0xbc799737: False}


def attr_name(tl_name):
    return _RENAMES.get(tl_name, tl_name)


class MappingError(Exception):
    pass


class Mapper:
    def __init__(self, schema):
        self.schema = schema
        self.by_name = {c.name: c for c in schema.combinators}

    def telethon_class(self, comb):
        return TLOBJECTS.get(comb.id)

    def check_names(self, comb):
        """Every TL field must be a parameter of the Telethon class."""
        cls = self.telethon_class(comb)
        if cls is None:
            return 'Telethon has no class for #%08x' % comb.id
        try:
            params = set(inspect.signature(cls.__init__).parameters)
        except (TypeError, ValueError):
            params = set()
        fields = [attr_name(f.name) for f in comb.value_fields()]
        if fields and not params.issuperset(fields):
            return 'Telethon %s lacks parameters %s' % (
                cls.__name__, sorted(set(fields) - params))
        return None

    # -- JSON -> Telethon ----------------------------------------------------

    def to_telethon(self, j):
        comb = self._comb_of(j)
        cls = self.telethon_class(comb)
        if cls is None:
            raise MappingError('no Telethon class for %s' % comb.name)
        kwargs = {}
        for f in comb.value_fields():
            name = attr_name(f.name)
            if f.name not in j:
                if not f.is_optional:
                    raise MappingError('%s: missing required field %s' % (comb.name, f.name))
                kwargs[name] = None
                continue
            kwargs[name] = self._value_to_telethon(f.type, j[f.name])
        return cls(**kwargs)

    def _comb_of(self, j):
        comb = self.by_name.get(j.get('_cons'))
        if comb is None:
            raise MappingError('unknown _cons %r' % (j.get('_cons'),))
        return comb

    def _value_to_telethon(self, t, v):
        inner = xs.vector_inner(t)
        if inner is not None:
            return [self._value_to_telethon(inner, x) for x in v]
        if t in ('int', 'long'):
            return int(v)
        if t == 'double':
            return float(v)
        if t == 'string':
            return v
        if t == 'bytes':
            return base64.b64decode(v)
        if t in ('int128', 'int256'):
            return int.from_bytes(base64.b64decode(v), 'little', signed=True)
        if t in ('Bool', 'true'):
            return bool(v)
        return self.to_telethon(v)

    # -- Telethon -> JSON ----------------------------------------------------

    def from_telethon(self, obj):
        comb = self.schema.by_id.get(obj.CONSTRUCTOR_ID)
        if comb is None:
            raise MappingError('Telethon object %r not in schema' % type(obj).__name__)
        out = {'_cons': comb.name}
        for f in comb.value_fields():
            v = getattr(obj, attr_name(f.name))
            if f.type == 'true':
                if v:
                    out[f.name] = True
                continue
            if v is None:
                if f.is_optional:
                    continue
                raise MappingError('%s.%s is None' % (comb.name, f.name))
            out[f.name] = self._value_from_telethon(f.type, v)
        return out

    def _value_from_telethon(self, t, v):
        inner = xs.vector_inner(t)
        if inner is not None:
            return [self._value_from_telethon(inner, x) for x in v]
        if t in ('int', 'long'):
            if isinstance(v, datetime):   # Telethon parses date-like ints as datetime
                return _datetime_to_timestamp(v)
            return int(v)
        if t == 'double':
            return float(v)
        if t == 'string':
            return v if isinstance(v, str) else v.decode('utf-8', 'replace')
        if t == 'bytes':
            return base64.b64encode(v).decode('ascii')
        if t in ('int128', 'int256'):
            n = 16 if t == 'int128' else 32
            return base64.b64encode(v.to_bytes(n, 'little', signed=True)).decode('ascii')
        if t == 'Bool':
            return bool(v)
        if isinstance(v, TLObject):
            return self.from_telethon(v)
        raise MappingError('unexpected %r for type %s' % (type(v).__name__, t))

    # -- Oracle entry points -------------------------------------------------

    def serialize(self, j):
        """Boxed bytes of canonical JSON `j`, produced by Telethon."""
        comb = self._comb_of(j)
        if comb.id in CORE_BOOL:
            # Telethon writes Bool inline; take its bytes from a generated
            # class that serializes a lone Bool argument.
            return _telethon_bool_bytes(CORE_BOOL[comb.id])
        if self.telethon_class(comb) is None:
            return self._compose_core(comb, j)
        return bytes(self.to_telethon(j))

    def parse(self, data):
        """Telethon's reading of boxed `data` as canonical JSON.

        Raises if Telethon fails or does not consume exactly all bytes.
        """
        reader = BinaryReader(data)
        cid = struct.unpack('<I', data[:4])[0] if len(data) >= 4 else None
        comb = self.schema.by_id.get(cid)
        if comb is not None and self.telethon_class(comb) is None and cid not in CORE_BOOL:
            out = self._parse_core(comb, reader)
        else:
            obj = reader.tgread_object()
            if obj is True or obj is False:
                out = {'_cons': 'boolTrue' if obj else 'boolFalse'}
            else:
                out = self.from_telethon(obj)
        if reader.tell_position() != len(data):
            raise MappingError('Telethon consumed %d of %d bytes'
                               % (reader.tell_position(), len(data)))
        return out

    def _compose_core(self, comb, j):
        parts = [struct.pack('<I', comb.id)]
        for f in comb.value_fields():
            if f.is_optional or f.type not in ('int', 'string'):
                raise MappingError('cannot compose %s.%s' % (comb.name, f.name))
            if f.type == 'int':
                parts.append(struct.pack('<i', j[f.name]))
            else:
                parts.append(TLObject.serialize_bytes(j[f.name]))
        return b''.join(parts)

    def _parse_core(self, comb, reader):
        reader.read_int(signed=False)
        out = {'_cons': comb.name}
        for f in comb.value_fields():
            if f.type == 'int':
                out[f.name] = reader.read_int()
            elif f.type == 'string':
                out[f.name] = reader.tgread_string()
            else:
                raise MappingError('cannot parse %s.%s' % (comb.name, f.name))
        return out

    def composable_core(self, comb):
        if comb.id in CORE_BOOL:
            return True
        return all(not f.is_optional and f.type in ('int', 'string')
                   for f in comb.value_fields())


_BOOL_CACHE = {}


def _telethon_bool_bytes(value):
    if value not in _BOOL_CACHE:
        from telethon.tl.functions.account import UpdateStatusRequest
        # account.updateStatus#6628562c offline:Bool = Bool;
        data = bytes(UpdateStatusRequest(offline=value))
        _BOOL_CACHE[value] = data[4:]
    return _BOOL_CACHE[value]
