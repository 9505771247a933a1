"""The line loop: envelope -> dispatch by key -> grammar match -> handler -> table rows.

One pass, streaming: memory holds the table rows only. Handlers for stateful families (tactic
timing, layer information, runs, option sections) live in `handlers.py`.
"""
from __future__ import annotations

import re
from typing import Iterable, Optional

from .. import tables as T
from .grammar import Grammar, default_grammar
from .handlers import HANDLERS, HOT_HANDLERS, State

# ONNX parser messages carry a source location before the text: "parsers/onnx/ModelImporter.cpp:781: "
SRCLOC = re.compile(r"^(?:[\w./-]*/)?\w+\.(?:cpp|cc|cu|hpp|h):\d+: ")
# a TensorRT prefix glued behind program output: "...0.]]]][07/07/2026-06:12:03] [TRT] [W] msg"
GLUED = re.compile(r"\[\d\d/\d\d/\d{4}-\d\d:\d\d:\d\d\] ")
TEXT_TABLES = {name for name, (_, cols) in T.TABLES.items() if any(c[0] == "text" for c in cols)}
SEVERITY = {"VERBOSE": "V", "INFO": "I", "WARNING": "W", "ERROR": "E", "INTERNAL_ERROR": "F"}


def parse_lines(lines: Iterable[str], grammar: Optional[Grammar] = None) -> State:
    g = grammar or default_grammar()
    st = State(g)
    env_match = g.envelope_re.match if g.envelope_re else (lambda s: None)
    envelopes = g.envelopes
    env_index = {f"e{i}": (e.source, e.producer, f"e{i}_sev") for i, e in enumerate(envelopes)}
    match = g.match
    blocks = g.blocks
    srcloc = SRCLOC.match
    handlers = HANDLERS
    hot_handlers = HOT_HANDLERS
    m_line, m_run, m_sev, m_src, m_id, m_text = st.msg_cols
    recognized = 0
    n = 0
    for n, line in enumerate(lines, 1):
        em = env_match(line)
        if em is not None:
            source, producer, sevgroup = env_index[em.lastgroup]
            sev = em.group(sevgroup)
            if len(sev) > 1:
                sev = SEVERITY.get(sev, sev[:1])
            text = line[em.end():]
            if producer and n < 20000:      # the envelope mix of the first lines names the producer
                st.producers[producer] = st.producers.get(producer, 0) + 1
        else:
            source, sev, text = "bare", "", line
        stext = text.strip()
        hit = None
        msg_id = "unknown"
        if not stext:
            msg_id = "blank"
        else:
            if source != "bare" and ".c" in stext[:80]:
                sl = srcloc(stext)
                if sl is not None:
                    stext = stext[sl.end():].strip()
            block = st.block
            if block is not None:
                accepts = blocks.get(block, {}).get("accepts", "bare")
                if source in accepts:
                    hit = match("block:" + block, stext)
                if hit is None and source != "bare" and "keep" not in blocks.get(block, {}).get("mode", ""):
                    st.block = None
            if hit is None:
                hit = match("message" if source != "bare" else "bare", stext)
                if hit is None and source == "bare":
                    gm = GLUED.search(line)
                    if gm is not None and gm.start() > 0:
                        em2 = env_match(line[gm.start():])
                        if em2 is not None:
                            source, producer, sevgroup = env_index[em2.lastgroup]
                            sev = em2.group(sevgroup)[:1]
                            stext = line[gm.start() + em2.end():].strip()
                            hit = match("message", stext) if stext else None
                            if not stext:
                                msg_id = "blank"
        if hit is not None:
            msg, mm = hit
            msg_id = msg.id
            h = msg.handler
            if h == "noop":        # recognised, nothing to record
                pass
            elif msg.hot:
                vals = mm.group(*msg.groups)
                hot_handlers[h](st, n, dict(zip(msg.names, vals if len(msg.groups) > 1 else (vals,))))
            elif h:
                handlers[h](st, n, msg, msg.convert(mm), stext)
            elif msg.table:
                fields = msg.convert(mm)
                if msg.table in TEXT_TABLES and "text" not in fields:
                    fields["text"] = stext
                st.add(msg.table, n, fields)
            if msg.opens:
                st.block = msg.opens
            elif msg.closes:
                st.block = None
        if msg_id != "unknown":
            recognized += 1
            if msg_id == "app.numpy_rows" and n > 1 and m_id[-1] == "unknown" and m_src[-1] == "bare":
                # the unknown line just before a printed array is its label ("x", "inputT0")
                m_id[-1] = "app.array_label"
                recognized += 1
        m_line.append(n)
        m_run.append(st.run)
        m_sev.append(sev)
        m_src.append(source)
        m_id.append(msg_id)
        m_text.append(stext if stext else text)
    st.lines = n
    st.recognized = recognized
    st.finish()
    return st
