"""Grammar sections are checked when the grammar loads: what a section's lines do (its handler: an
action of actions.py or a function of handlers.py) must exist, and the fields it needs must be
captured by every template of the section; the error names the file and the section."""
from __future__ import annotations

import shutil

import pytest

from trtlog.errors import TrtlogError
from trtlog.parse import grammar
from trtlog.parse.actions import ACTIONS
from trtlog.parse.handlers import HANDLERS


def _grammar_with(tmp_path, section: str):
    d = tmp_path / "grammars"
    shutil.copytree(grammar._grammar_dir(), d)
    with open(d / "tactics.grammar", "a", encoding="utf-8") as fh:
        fh.write("\n" + section)
    return grammar.load_grammar(d)


def test_every_section_of_the_shipped_grammar_resolves():
    g = grammar.load_grammar()
    for m in g.messages:
        assert (m.action is not None) == (not m.handler or m.handler in ACTIONS), m.id
        assert m.action is not None or m.handler in HANDLERS, m.id


def test_unknown_handler_fails_at_load(tmp_path):
    with pytest.raises(TrtlogError, match=r"tactics\.grammar \[tactic\.typo\]: unknown handler 'tactic_tiem'"):
        _grammar_with(tmp_path, "[tactic.typo]\ntemplate = Tactic: {tactic:tactic} Time: {time_ms:float} typo\n"
                                "handler = tactic_tiem\n")


def test_field_an_action_needs_but_the_template_lacks_fails_at_load(tmp_path):
    with pytest.raises(TrtlogError, match=r"tactics\.grammar \[tactic\.no_time\]: handler 'tactic_time' reads "
                                          r"field\(s\) time_ms that the template"):
        _grammar_with(tmp_path, "[tactic.no_time]\ntemplate = Tactic: {tactic:tactic} Took: {ms:float}\n"
                                "handler = tactic_time\n")


def test_field_a_function_handler_needs_but_the_template_lacks_fails_at_load(tmp_path):
    with pytest.raises(TrtlogError, match=r"\[tactic\.device_req\]: handler 'tactic_device_request' reads "
                                          r"field\(s\) available_mb"):
        _grammar_with(tmp_path, "[tactic.device_req]\ntemplate = Tactic Device request: {request_mb:int}MB only\n"
                                "handler = tactic_device_request\n")


def test_hot_needs_an_action(tmp_path):
    with pytest.raises(TrtlogError, match=r"\[tactic\.hot_fn\]: hot = yes needs an action"):
        _grammar_with(tmp_path, "[tactic.hot_fn]\ntemplate = Layer: {layer} Host Persistent: {host:int}\n"
                                "handler = layer_memory\nhot = yes\n")


def test_a_section_in_todays_format_with_an_action_loads(tmp_path):
    g = _grammar_with(tmp_path, "[tactic.extra_time]\ntemplate = Tactic: {tactic:tactic} Runtime: {time_ms:float}\n"
                                "handler = tactic_time\n")
    m = g.by_id["tactic.extra_time"]
    assert m.action is ACTIONS["tactic_time"] and m.used_fields == {"tactic", "time_ms"}


def test_field_reads_come_from_the_handlers_source():
    from trtlog.parse.handlers import field_reads
    reads = field_reads()
    assert {"api", "where", "code", "category", "node", "cuda_error"} <= reads["error"]
    assert reads["dla_offloaded"] == {"offloaded", "candidates"}


def test_field_a_function_handler_reads_that_no_section_captures_fails_at_load(tmp_path):
    d = tmp_path / "grammars"
    shutil.copytree(grammar._grammar_dir(), d)
    fb = d / "fallback.grammar"
    text = fb.read_text(encoding="utf-8")
    assert "out of {candidates:int}" in text
    fb.write_text(text.replace("out of {candidates:int}", "out of {total:int}"), encoding="utf-8")
    with pytest.raises(TrtlogError, match=r"fallback\.grammar \[fb\.dla_offloaded\]: handler 'dla_offloaded' reads "
                                          r"field\(s\) candidates that no template"):
        grammar.load_grammar(d)
