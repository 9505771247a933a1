"""Imported once by the fork server that starts the block-scanning workers (parser._context): compiles
the default grammar and its scanner there, so every worker forked from it starts with them."""
from .grammar import default_grammar
from .parser import scanner_for

scanner_for(default_grammar())
