"""Grammar files -> compiled message templates and a dispatch index.

A grammar file (grammars/<family>.grammar) holds one section per message:

    [tactic.time]
    versions = 8.0-10.16
    template = Tactic: {tactic:tactic} Time: {time_ms:float}
    handler = tactic_time       (what the line does: an action of actions.py or a function of
                                 handlers.py; none: the fields are one row of `table`)
    table = NAME                (the table a plain row goes to)
    set.kind = value            (constant columns for the row)
    scope = message | bare | block:NAME   (where the line may appear; default message)
    opens = NAME                (this line opens the continuation block NAME)
    closes = NAME               (this line closes block NAME)
    hot = yes                   (the action takes the raw matched strings: no per-field conversion)

`template` may hold several alternatives, one per (indented) line. Templates are parsed with
pyparsing into literals and typed fields `{name:type}`, compiled once into pieces (Message.pieces)
that render every regex matching the template: the template alone (Message.regex), the per-key
alternations of the line parser (Grammar.combined) and the block regexes of scan.py, exact or for
single-spaced text (render). Every rendering is line-safe (no `^`/`$`, nothing in it can match a
line break), so that many lines joined by "\n" match as each line would alone. The typed fields
are converted after a match (TYPES). Fields of a *structured* type keep their raw text for the
pyparsing payload grammars in `structured.py`. The handler and the fields it needs are checked
when the grammar loads (_bind).

Envelopes marked `hot = yes` are the ones `scan.py` matches in bulk; they must come first in the
envelope list and be line-safe themselves. A section with `wraps = yes` (and no `sev` group) is a
wrapper: a prefix another program puts before each line it passes on (ROS 2 launch's "[node-1] "); the
line parser takes it off a line no envelope matches and reads the rest as any line.
"""
from __future__ import annotations

import configparser
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

import pyparsing as pp

from ..errors import TrtlogError
from ..numbers import to_float, to_int
from . import rx
from .actions import ACTIONS, PLAIN, Action

# a number as numpy prints it, matched atomically (no backtracking into it)
_NUM = r"(?>[-+]?+(?:\d++(?:\.\d*+)?+(?:[eE][-+]?+\d++)?+|nan|inf|\.\.\.))"


def _hms(text: str) -> float:
    """'0:00:04.366112' (a Python timedelta as printed) -> seconds."""
    h, m, sec = text.split(":")
    return int(h) * 3600 + int(m) * 60 + float(sec)


# type name -> (regex, converter). Every regex is line-safe: nothing in it can match a line break,
# so that scan.py can match many lines joined by "\n" with the same patterns as one line. An
# optional group is written (?:X|) rather than (?:X)?: the same matches, tried in the same order,
# without the cost of a repeat that saves every group of a big regex.
TYPES: Dict[str, Tuple[str, Callable[[str], object]]] = {
    "int": (r"[-+]?\d+", to_int),
    "float": (r"[-+]?(?:\d+(?:\.\d*|)|\.\d+)(?:[eE][-+]?\d+|)|[-+]?(?:nan|inf)", to_float),
    "tactic": (r"0x[0-9a-fA-F]+|[-+]?\d+", str),
    "hex": (r"0x[0-9a-fA-F]+", str),
    "word": (r"\S+", str),
    "name": (r"[^\n]+?", str),
    "text": (r"[^\n]*?", str),
    "rest": (r"[^\n]*", str),
    "dims": (r"[-\d]+(?:[x,][-\d]+)*", str),
    "mib": (r"[-+]?\d+(?:\.\d+|)", to_float),
    "hms": (r"\d+:\d\d:\d\d(?:\.\d+)?", _hms),
    "sev": (r"[A-Z_]+", str),
    "upper": (r"[A-Z][A-Z0-9_]+", str),
    "ident": (r"[A-Za-z_][\w.-]*", str),
    "ruler": (r"[=\-*#]{8,}", str),
    # a Python expression echoed by a program: parser.get_flag(trt.X) / error.node_name() / a.b
    "pyexpr": (r"[A-Za-z_][\w.]*(?:\([^()\n]*\))?(?:\.[A-Za-z_]\w*(?:\([^()\n]*\))?)*", str),
    # an exception's name as a traceback's last line prints it: a builtin (capitalised) or module-qualified
    "pyexc": (r"(?:[A-Za-z_]\w*\.)+[A-Za-z_]\w*|[A-Z]\w*", str),
    "dimtok": (r"\[[-\d,]+\]|-?\d+|_|nBS", str),
    # one row of a printed numpy array: "[[ 1.  2.5 -3.]", "0. 1.]]]", "[7]". Numbers are
    # separated by whitespace and matched possessively: a digit run can be read only one way (the
    # old `(?:\d+\.?\d*\s*)+` split "1111...1x" every possible way: 22 digits took minutes)
    "numrow": (r"\[*+[^\S\n]*+" + _NUM + r"(?:[^\S\n]++" + _NUM + r")*+[^\S\n]*+\]*+", str),
}
# the types that hold whitespace or "not whitespace", written for a text whose only whitespace is
# single spaces (Message.render(spaced=True); see scan.py)
SPACED_TYPES: Dict[str, str] = {
    "word": r"[^ ]+",
    "numrow": r"\[*+ ?" + _NUM + r"(?: " + _NUM + r")*+ ?\]*+",
}

# the types whose match depends on what follows them
_LAZY = ("name", "text")
_WORD = re.compile(r"[A-Za-z]{3,}")

_field = pp.Suppress("{") + pp.Word(pp.alphanums + "_")("name") + pp.Optional(
    pp.Suppress(":") + pp.Word(pp.alphanums + "_")("type")) + pp.Suppress("}")
_field.set_parse_action(lambda t: ("field", t["name"], t.get("type", "name")))
_literal = pp.Regex(r"(?:[^{]|\{\{)+").set_parse_action(lambda t: ("lit", t[0].replace("{{", "{")))
TEMPLATE = (pp.ZeroOrMore(_field | _literal) + pp.StringEnd()).leave_whitespace()
for _el in (_field, _literal):
    _el.leave_whitespace()


@dataclass
class Message:
    id: str
    family: str
    template: str
    pieces: Tuple[Piece, ...]      # the compiled template (render)
    fields: List[Tuple[str, str]]
    key: str            # first literal token ('' when the template starts with a field)
    anchor: str         # longest literal piece, for templates that start with a field
    scope: str = "message"
    table: str = ""
    handler: str = ""
    consts: Dict[str, str] = field(default_factory=dict)
    versions: str = ""
    opens: str = ""
    closes: str = ""
    hot: bool = False    # hot = yes: its action takes the raw matched strings (no per-field conversion)
    literals: Tuple[str, ...] = ()   # the literal pieces between the fields

    # group name of each field inside the combined per-key regex (see Grammar); defaults to the field
    groups: Tuple[str, ...] = ()
    names: Tuple[str, ...] = ()    # field names, in template order
    # what its lines do (actions.py): an action, or None for a function handler of handlers.py
    action: Optional[Action] = None
    inert: bool = False            # an action that records nothing (noop, or no handler and no table)
    reads_groups: Tuple[Tuple[str, str], ...] = ()   # (field, group) of the fields its action reads

    regex: Optional["re.Pattern[str]"] = None     # the template alone, matching a whole stripped text

    def __post_init__(self) -> None:
        if self.regex is None:
            self.regex = rx.compile(r"^%s[^\S\n]*$" % render(self.pieces))

    def render(self, groups: Optional[Dict[str, Optional[str]]] = None, spaced: bool = False) -> str:
        return render(self.pieces, groups, spaced)

    @property
    def line_body(self) -> str:
        """The line-safe regex of the template, fields as named groups."""
        return render(self.pieces)

    @property
    def used_fields(self) -> set:
        """The fields whose values the message's action reads (all of them for a plain row)."""
        names = {name for name, _ in self.fields}
        return names if self.action is PLAIN else names & self.action.reads

    def convert(self, m: "re.Match[str]") -> dict:
        out = dict(self.consts)
        for (name, typ), group in zip(self.fields, self.groups):
            v = m.group(group)
            if v is None:
                continue
            conv = TYPES[typ][1]
            try:
                out[name] = conv(v) if conv is not str else v.strip()
            except ValueError:
                out[name] = v
        return out


# a compiled template: literal runs (tuples of escaped text and whitespace pieces) and fields
Piece = Tuple[str, ...]       # ("lit", ((kind, text), ...)) | ("field", name, type, lazy)


def _render_lit(chunks, spaced: bool) -> str:
    # whitespace is matched possessively: it can be read only one way, so lazy fields on either side
    # of it cannot multiply each other's attempts
    if spaced:
        return "".join(t if k == "text" else (" ?" if k == "ws*" else " ") for k, t in chunks)
    return "".join(t if k == "text" else (r"[^\S\n]*+" if k == "ws*" else r"[^\S\n]++") for k, t in chunks)


def render(pieces: Tuple[Piece, ...], groups: Optional[Dict[str, Optional[str]]] = None, spaced: bool = False) -> str:
    """The regex source of a template: line-safe (no `^`/`$`, nothing matches a line break), each
    field a named group (`groups` renames them; None: not captured). `spaced`: for a text whose only
    whitespace is single spaces, where " " and `[^ ]` are the regex engine's fast paths."""
    out = []
    for i, p in enumerate(pieces):
        if p[0] == "lit":
            out.append(_render_lit(p[1], spaced))
            continue
        _, name, typ, lazy = p
        body = SPACED_TYPES.get(typ, TYPES[typ][0]) if spaced else TYPES[typ][0]
        if lazy:
            # a lazy field ends at the first place its following literal matches, once and for
            # all, when that literal has a word in it (names hold punctuation such as " (" or ": ",
            # not the template's words): several lazy fields would otherwise try every split of a
            # long line among themselves (n^k attempts when the line does not match)
            body = f"(?>{body}(?={_render_lit(pieces[i + 1][1], spaced)}))"
        group = name if groups is None else groups.get(name)
        out.append(f"(?P<{group}>{body})" if group else f"(?:{body})")
    return "".join(out)


def compile_template(text: str) -> Tuple[Tuple[Piece, ...], List[Tuple[str, str]], str, str, Tuple[str, ...]]:
    """Return (pieces, fields, dispatch key, anchor, literal pieces) for one template string; the
    pieces render to every regex that matches the template (render)."""
    try:
        parts = TEMPLATE.parse_string(text, parse_all=True).as_list()
    except pp.ParseException as exc:
        raise TrtlogError(f"bad grammar template {text!r}: {exc}") from None
    if parts and parts[0][0] == "lit":
        parts[0] = ("lit", parts[0][1].lstrip())  # messages are matched after strip()
    pieces: List[Piece] = []
    fields, lits, seen = [], [], set()
    for idx, (kind, *rest) in enumerate(parts):
        if kind == "lit":
            lits.append(rest[0])
            # a space before a trailing optional field (text/rest) may be absent: "inputs:" + ""
            optional_tail = (idx == len(parts) - 2 and parts[-1][0] == "field"
                             and parts[-1][2] in ("text", "rest"))
            chunks = [c for c in re.split(r"( +)", rest[0]) if c]
            pieces.append(("lit", tuple(
                (("ws*" if optional_tail and j == len(chunks) - 1 else "ws"), "") if c.startswith(" ")
                else ("text", re.escape(c)) for j, c in enumerate(chunks))))
            continue
        name, typ = rest
        if typ not in TYPES:
            raise TrtlogError(f"grammar template {text!r}: unknown field type {typ!r}")
        if name in seen:
            raise TrtlogError(f"grammar template {text!r}: field {name!r} used twice")
        seen.add(name)
        fields.append((name, typ))
        nxt = parts[idx + 1] if idx + 1 < len(parts) else None
        pieces.append(("field", name, typ, typ in _LAZY and nxt is not None and nxt[0] == "lit"
                       and bool(_WORD.search(nxt[1]))))
    key = ""
    if parts and parts[0][0] == "lit":
        head = parts[0][1].strip()
        # the first token is a usable dispatch key only if it is complete inside the literal
        if head and (" " in head or len(parts) == 1 or parts[0][1].endswith(" ")):
            key = head.split(" ")[0]
    anchor = max(lits, key=len).strip() if lits else ""
    return tuple(pieces), fields, key, anchor, tuple(lits)


@dataclass
class Envelope:
    """A line prefix form: regex `prefix` with a `sev` group; who writes it; producer hint. A wrapper
    (`wraps = yes`, no `sev`) is a prefix another program puts before each line it passes on (ROS 2
    launch: "[node-1] "): it is taken off and the rest of the line read as any line is."""
    id: str
    prefix: str
    source: str
    producer: str
    versions: str
    hot: bool = False
    wraps: bool = False


# what could let an envelope regex match across a line break or depend on where the string ends
_LINE_UNSAFE = re.compile(r"\\[sDWZAn]|\[\^|[$^]|\(\?[a-zA-Z]*s")


def _check_hot_envelope(e: Envelope) -> None:
    if _LINE_UNSAFE.search(e.prefix.replace("\\\\", "")):
        raise TrtlogError(f"hot envelope [{e.id}]: prefix must not use \\s, \\D, \\W, [^...], anchors or (?s)")
    if not re.search(r"\(\?P<sev>\[[^\]]+\]\)", e.prefix):
        raise TrtlogError(f"hot envelope [{e.id}]: severity must be one character: (?P<sev>[...])")


class Grammar:
    """All message templates of all families, with the dispatch index."""

    def __init__(self, messages: List[Message], blocks: Optional[Dict[str, Dict[str, str]]] = None,
                 envelopes: Optional[List["Envelope"]] = None):
        self.messages = messages
        self.wrappers = [e for e in envelopes or [] if e.wraps]
        self.envelopes = [e for e in envelopes or [] if not e.wraps]
        for w in self.wrappers:
            if "(?P<sev>" in w.prefix or w.hot:
                raise TrtlogError(f"wrapper [{w.id}]: no severity group and not hot (the line after it has its own)")
        self.wrapper_re = rx.compile("^(?:%s)" % "|".join("(?P<w%d>%s)" % (i, w.prefix)
                                                        for i, w in enumerate(self.wrappers))) \
            if self.wrappers else None
        # one alternation over all envelope prefixes; group e<i>_sev carries the severity
        alts = []
        for i, e in enumerate(self.envelopes):
            alts.append("(?P<e%d>%s)" % (i, e.prefix.replace("(?P<sev>", "(?P<e%d_sev>" % i)))
        self.envelope_re = rx.compile("^(?:%s)" % "|".join(alts)) if alts else None
        # the leading envelopes marked hot are matched in bulk by scan.py
        self.hot_envelopes = []
        for e in self.envelopes:
            if not e.hot:
                break
            _check_hot_envelope(e)
            self.hot_envelopes.append(e)
        if any(e.hot for e in self.envelopes[len(self.hot_envelopes):]):
            raise TrtlogError("hot envelopes must come first in envelope.grammar")
        # block name -> properties from `[@block NAME]` sections; `accepts` lists the line sources
        # (bare, trtexec, trt) whose lines are tried against the block's templates
        self.blocks = blocks or {}
        self.by_id = {m.id: m for m in messages}
        # scope -> key -> [messages]; scope -> [(anchor, message)] for field-first templates
        self.keyed: Dict[str, Dict[str, List[Message]]] = {}
        self.floating: Dict[str, List[Message]] = {}
        for m in messages:
            _bind(m)
            m.groups = m.names = tuple(name for name, _ in m.fields)
            m.reads_groups = _reads_groups(m)
            if m.key:
                self.keyed.setdefault(m.scope, {}).setdefault(m.key, []).append(m)
            else:
                self.floating.setdefault(m.scope, []).append(m)
        _check_reads(messages)
        # field-first templates are tried one by one: the tactic family dominates verbose logs, so first
        for scope in self.floating:
            self.floating[scope].sort(key=lambda m: m.family != "tactics")
        # all templates sharing a dispatch key become one alternation (group K<i> = alternative i):
        # one regex call per line instead of one per candidate
        self.combined: Dict[str, Dict[str, Tuple["re.Pattern[str]", Dict[str, Message]]]] = {}
        for scope, by_key in self.keyed.items():
            for key, cands in by_key.items():
                alts, index = [], {}
                for i, m in enumerate(cands):
                    groups = {name: "k%d_%s" % (i, name) for name, _ in m.fields}
                    body = m.render(groups) + r"[^\S\n]*$"
                    alt = Message(**{**m.__dict__, "groups": tuple(groups.values())})
                    alt.reads_groups = _reads_groups(alt)
                    alts.append("(?P<K%d>%s)" % (i, body))
                    index["K%d" % i] = alt
                self.combined.setdefault(scope, {})[key] = (rx.compile("^(?:%s)" % "|".join(alts)), index)

    def match(self, scope: str, text: str) -> Optional[Tuple[Message, "re.Match[str]"]]:
        sp = text.find(" ")
        key = text if sp < 0 else text[:sp]
        by_key = self.combined.get(scope)
        if by_key:
            entry = by_key.get(key)
            if entry is not None:
                r = entry[0].match(text)
                if r is not None:
                    return entry[1][r.lastgroup], r
        for m in self.floating.get(scope, ()):
            if m.anchor in text:
                r = m.regex.match(text)
                if r:
                    return m, r
        return None


def _bind(m: Message) -> None:
    """Resolve the section's handler (an action or a function of handlers.py) and check, now rather
    than on the first matching line, that it exists and that every field it needs is captured."""
    from .handlers import HANDLERS, NEEDS
    where = f"{m.family}.grammar [{m.id}]"
    if not m.handler:
        m.action = PLAIN
    elif m.handler in ACTIONS:
        m.action = ACTIONS[m.handler]
    elif m.handler in HANDLERS:
        m.action = None
        if m.hot:
            raise TrtlogError(f"{where}: hot = yes needs an action (actions.py), not the function handler "
                              f"{m.handler!r}")
    else:
        raise TrtlogError(f"{where}: unknown handler {m.handler!r} (neither an action in actions.py nor a "
                          f"function in handlers.py)")
    needs = m.action.needs if m.action is not None else NEEDS.get(m.handler, ())
    have = {name for name, _ in m.fields} | set(m.consts)
    missing = [f for f in needs if f not in have]
    if missing:
        raise TrtlogError(f"{where}: handler {m.handler!r} reads field(s) {', '.join(missing)} that the "
                          f"template {m.template!r} does not capture")
    m.inert = m.action is not None and not (m.action.sets or m.action.block or m.action.tactic or m.action.mark
                                            or m.action.feature or (m.action is PLAIN and m.table))


def _check_reads(messages: List[Message]) -> None:
    """Every field a function handler reads (handlers.field_reads) must be captured, or set as a
    constant, by some template of the sections that name it: a misspelt field fails here."""
    from .handlers import field_reads
    captured: Dict[str, set] = {}
    sections: Dict[str, List[Message]] = {}
    for m in messages:
        if m.action is None:
            captured.setdefault(m.handler, set()).update([name for name, _ in m.fields], m.consts)
            sections.setdefault(m.handler, []).append(m)
    for handler, names in field_reads().items():
        missing = sorted(names - captured.get(handler, names))
        if missing:
            ms = sections[handler]
            where = ", ".join(dict.fromkeys(f"{m.family}.grammar [{m.id}]" for m in ms))
            raise TrtlogError(f"{where}: handler {handler!r} reads field(s) {', '.join(missing)} that no template "
                              f"of its section(s) captures")


def _reads_groups(m: Message) -> Tuple[Tuple[str, str], ...]:
    if m.action is None:
        return ()
    used = m.used_fields
    return tuple((name, g) for (name, _), g in zip(m.fields, m.groups) if name in used)


def _grammar_dir() -> Path:
    here = Path(__file__).resolve().parent.parent
    for cand in (here / "grammars", here.parent / "grammars"):
        if cand.is_dir() and any(cand.glob("*.grammar")):
            return cand
    raise TrtlogError("grammar files not found (broken installation)")


def load_grammar(directory: Optional[Path] = None) -> Grammar:
    directory = directory or _grammar_dir()
    messages: List[Message] = []
    blocks: Dict[str, Dict[str, str]] = {}
    envelopes: List[Envelope] = []
    for path in sorted(directory.glob("*.grammar")):
        family = path.stem
        cp = configparser.RawConfigParser(delimiters=("=",), comment_prefixes=("#",),
                                          inline_comment_prefixes=None, strict=True,
                                          empty_lines_in_values=False)
        cp.optionxform = str  # keep case of set.<column>
        try:
            cp.read(path, encoding="utf-8")
        except configparser.Error as exc:
            raise TrtlogError(f"{path.name}: {exc}".splitlines()[0]) from None
        for sec in cp.sections():
            s = cp[sec]
            if sec.startswith("@block "):
                blocks[sec[7:].strip()] = {k: v for k, v in s.items()}
                continue
            if "prefix" in s:
                envelopes.append(Envelope(sec, s["prefix"], s.get("source", "trt"),
                                          s.get("producer", ""), s.get("versions", ""),
                                          s.get("hot", "") == "yes", s.get("wraps", "") == "yes"))
                continue
            if "template" not in s:
                raise TrtlogError(f"{path.name} [{sec}]: no template")
            consts = {k[4:]: v for k, v in s.items() if k.startswith("set.")}
            for tmpl in (t for t in s["template"].split("\n") if t.strip()):
                tmpl = tmpl.strip()
                if tmpl.startswith('"') and tmpl.endswith('"') and len(tmpl) > 1:
                    tmpl = tmpl[1:-1]  # quoted to keep significant edge spaces
                pieces, fields, key, anchor, literals = compile_template(tmpl)
                messages.append(Message(
                    id=sec, family=family, template=tmpl, pieces=pieces,
                    fields=fields, key=key, anchor=anchor, scope=s.get("scope", "message"),
                    table=s.get("table", ""), handler=s.get("handler", ""), consts=consts,
                    versions=s.get("versions", ""), opens=s.get("opens", ""), closes=s.get("closes", ""),
                    hot=s.get("hot", "") == "yes", literals=literals))
    ids = {}
    for m in messages:
        ids.setdefault(m.id, m.family)
        if ids[m.id] != m.family:
            raise TrtlogError(f"grammar id {m.id!r} defined in both {ids[m.id]} and {m.family}")
    return Grammar(messages, blocks, envelopes)


_CACHE: Dict[str, Grammar] = {}



def default_grammar() -> Grammar:
    if "default" not in _CACHE:
        _CACHE["default"] = load_grammar()
    return _CACHE["default"]
