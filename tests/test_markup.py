"""The markup parser's fast path must read template output exactly as HTMLParser does, and the shipped
templates must take it (else a batch silently loses the speed)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dischargegen import ContentError, build_case
from dischargegen.content import render_html
from dischargegen.content.markup import (
    Section,
    _block_runs,
    _section_blocks,
    parse_document,
    parse_plain,
    parse_with_htmlparser,
)
from dischargegen.site import DEFAULT_SITE
from tests.helpers import VARIANTS, fields, variant_fields


def outcome(parse: Callable[[str], list[Section]], html: str) -> object:
    try:
        return [dataclasses.asdict(section) for section in parse(html)]
    except ContentError as error:
        return ("error", str(error))


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_shipped_variant_takes_the_fast_path_and_reads_the_same(language: str) -> None:
    extra = [
        fields(
            large_print="yes", brace="yes", follow_up="2027-01-12 14:30", blood_thinner_restart="2027-01-03"
        )
    ]
    for variant in [variant_fields(variant) for variant in VARIANTS] + extra:
        html = render_html(build_case({**variant, "language": language}), DEFAULT_SITE)
        assert parse_plain(html) is not None, "the shipped templates left the fast path"
        assert outcome(parse_document, html) == outcome(parse_with_htmlparser, html)
        # Read again: every section comes from memory, whole.
        hits = _section_blocks.cache_info().hits
        sections = parse_plain(html) or []
        assert _section_blocks.cache_info().hits - hits == html.count("<section")
        # And a section not seen before still takes most of its text blocks' words from memory.
        _section_blocks.cache_clear()
        hits = _block_runs.cache_info().hits
        assert parse_plain(html) == sections
        text_blocks = sum(block.kind != "signature" for section in sections for block in section.blocks)
        assert _block_runs.cache_info().hits - hits >= text_blocks * 0.9


TEXT = ["words", " ", "\n  ", "&amp;", "&lt;b&gt;", "&eacute;", "&nbsp;", "&", "é ñ", "\u2022", '"', "'", ">"]
INLINE = st.lists(
    st.one_of(
        st.sampled_from(TEXT),
        st.sampled_from(TEXT).map(lambda text: f"<strong>{text}</strong>"),
        st.sampled_from(["<br>", "<br/>", "<br />", "<BR>", "<!-- note -->", "<b>x</b>", "a < b"]),
    ),
    max_size=6,
).map("".join)
ATTRIBUTE = st.sampled_from(["A &amp; B", "Date", "", "é"])
BLOCK = st.one_of(
    st.tuples(st.sampled_from(["p", "h1", "h2", "h3", "P"]), INLINE).map(
        lambda b: f"<{b[0]}>{b[1]}</{b[0]}>"
    ),
    st.tuples(st.sampled_from(["<ul>", '<ul class="checklist">', "<ol>"]), st.lists(INLINE, max_size=3)).map(
        lambda b: b[0] + "".join(f"<li>{item}</li>" for item in b[1]) + "</" + b[0][1:3] + ">"
    ),
    st.tuples(ATTRIBUTE, ATTRIBUTE, st.booleans()).map(
        lambda b: f'<signature sign="{b[0]}" date="{b[1]}"' + ("/>" if b[2] else "></signature>")
    ),
    st.sampled_from(["<p/>", "<p/>text</p>", "<p class=x>a</p>", "</p >", "<p>a</p >", "\n", " ", "<p>a"]),
    # Blocks inside blocks, bold or a list left open into what follows, stray section tags: the
    # remembered block and section paths must refuse them or read them exactly as HTMLParser does.
    st.sampled_from(
        ["<p><p>x</p></p>", "<strong><p>a</p></strong>", "<p>a</strong>b<strong>c</p>", "<p><strong>a</p>"]
        + ["<ul><li>open list</li>", "</ul>", "<li>loose</li>", "<section>", "</section>"]
    ),
)
SECTION = st.tuples(
    st.sampled_from(["call", "emergency", "summary", "fancy"]), st.lists(BLOCK, max_size=3)
).map(lambda b: f'<section class="{b[0]}">' + "".join(b[1]) + "</section>")


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(BLOCK, SECTION), max_size=8))
def test_any_markup_reads_as_htmlparser_reads_it(blocks: list[str]) -> None:
    html = "\n".join(blocks)
    assert outcome(parse_document, html) == outcome(parse_with_htmlparser, html)


def test_a_fault_keeps_its_line_number() -> None:
    html = "<p>one</p>\n<p>two</p>\n<p>three <em>x</em></p>"
    with pytest.raises(ContentError, match="line 3: unknown tag <em>"):
        parse_document(html)


@pytest.mark.parametrize(
    "html",
    [
        "<section><p><strong>bold left open</p></section><p>after</p>",
        "<p><strong>bold left open</p><section><p>inside</p></section>",
        '<section class="call"><ul><li>list left open</li></section><li>after</li></ul>',
        "<ul><li>a</li><section><p>inside an open list</p></section></ul>",
    ],
)
def test_what_a_section_leaves_open_carries_on_as_htmlparser_reads_it(html: str) -> None:
    for _ in range(2):  # the second time, any section that is remembered comes from memory
        assert outcome(parse_document, html) == outcome(parse_with_htmlparser, html)
