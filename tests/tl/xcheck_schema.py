"""Minimal TL schema reader for the Telethon cross-check.

Only what the cross-check needs: every combinator (constructor or method)
with its id, its result type and its fields, each field split into
(flag word, flag bit, value type). Written for the syntax used by
tl/api-144.tl and tl/mtproto.tl: one declaration per line, `//` comments,
`---functions---` / `---types---` section switches.
"""

import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional

_DECL = re.compile(r'^([A-Za-z_][\w.]*)#([0-9a-fA-F]{1,8})\s*(.*?)\s*=\s*([^;]+?)\s*;$')
_FLAG = re.compile(r'^(\w+)\.(\d+)\?(.+)$')


@dataclass
class Field:
    name: str
    type: str                   # value type, flag prefix removed ("#" for flag words)
    flag_word: Optional[str] = None   # e.g. "flags" / "flags2" for conditional fields
    flag_bit: Optional[int] = None

    @property
    def is_flag_word(self):
        return self.type == '#'

    @property
    def is_optional(self):
        return self.flag_word is not None


@dataclass
class Combinator:
    name: str                   # full TL name, e.g. "messages.sendMessage"
    id: int
    result: str                 # result type, e.g. "Updates", or "X" for generic
    fields: List[Field] = field(default_factory=list)
    is_function: bool = False
    generic: Optional[str] = None  # "X" for {X:Type} wrappers

    def value_fields(self):
        return [f for f in self.fields if not f.is_flag_word]


@dataclass
class Schema:
    combinators: List[Combinator] = field(default_factory=list)
    by_type: Dict[str, List[Combinator]] = field(default_factory=dict)
    by_id: Dict[int, Combinator] = field(default_factory=dict)

    def constructors_of(self, type_name):
        return self.by_type.get(type_name, [])


# Built-in declarations that are not ordinary objects of the schema.
_BUILTIN = {'vector'}


def parse(text, schema=None):
    schema = schema or Schema()
    is_function = False
    for raw in text.splitlines():
        line = raw.split('//', 1)[0].strip()
        if not line:
            continue
        if line == '---functions---':
            is_function = True
            continue
        if line == '---types---':
            is_function = False
            continue
        m = _DECL.match(line)
        if not m:
            continue  # e.g. "int ? = Int;" or id-less "message ..." in mtproto.tl
        name, cid, body, result = m.groups()
        if name in _BUILTIN:
            continue
        comb = Combinator(name=name, id=int(cid, 16), result=result.strip(),
                          is_function=is_function)
        for token in body.split():
            if token.startswith('{') and token.endswith('}'):
                comb.generic = token[1:-1].split(':', 1)[0]
                continue
            fname, ftype = token.split(':', 1)
            fm = _FLAG.match(ftype)
            if fm:
                comb.fields.append(Field(fname, fm.group(3), fm.group(1), int(fm.group(2))))
            else:
                comb.fields.append(Field(fname, ftype))
        if comb.id in schema.by_id:
            # A later schema file never overrides an earlier one.
            continue
        schema.combinators.append(comb)
        schema.by_id[comb.id] = comb
        if not is_function:
            schema.by_type.setdefault(comb.result, []).append(comb)
    return schema


def parse_files(paths):
    schema = Schema()
    for p in paths:
        with open(p, encoding='utf-8') as fh:
            parse(fh.read(), schema)
    return schema


def vector_inner(type_name):
    """'Vector<long>' -> 'long'; None when not a vector type."""
    for prefix in ('Vector<', 'vector<'):
        if type_name.startswith(prefix) and type_name.endswith('>'):
            return type_name[len(prefix):-1]
    return None
