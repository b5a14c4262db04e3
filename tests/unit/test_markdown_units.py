"""tools/markdown_units.py: a Markdown document cut into translation units and put back."""

from __future__ import annotations

from tools import markdown_units as mu

_TEXT = """\
# Title

A paragraph that
wraps over lines.{hard}
A hard break.

1. First item
   continues here.
   - nested item
2. Second item

| a | b |
|---|---|
| 1 | 2 |

```bash
echo one

echo two
```

<!-- a comment -->

<details>
<summary>More</summary>
</details>
""".format(hard="  ")  # a hard line break is two spaces at the end of the line


def test_a_document_is_cut_into_headings_paragraphs_items_rows_code_and_html():
    found = [(u.kind, u.text) for block in mu.units(_TEXT) for u in block]
    assert found == [
        ("heading", "# Title"),
        ("paragraph", "A paragraph that wraps over lines.  \nA hard break."),
        ("item", "1. First item continues here.\n   - nested item"),
        ("item", "2. Second item"),
        ("row", "| a | b |"),
        ("layout", ""),
        ("row", "| 1 | 2 |"),
        ("code", "```bash\necho one\n\necho two\n```"),
        ("layout", ""),
        ("html", "<details>\n<summary>More</summary>\n</details>"),
    ]


def test_a_document_built_from_its_own_text_is_the_document_refilled():
    blocks = [[line for u in block for line in (
        mu.render(u, u.text) if u.translatable else list(u.lines))] for block in mu.units(_TEXT)]
    assert mu.assemble(blocks) == _TEXT.replace(
        "A paragraph that\nwraps", "A paragraph that wraps").replace(
        "First item\n   continues", "First item continues")


def test_wrapping_keeps_code_spans_numbers_and_markers_whole():
    text = ("Run `python course.py doctor --all` now: it needs 3 GB and - as said - "
            "1. nothing else")
    lines = mu.wrap(text, "", "", width=30)
    assert " ".join(lines) == text
    assert all("`python course.py doctor --all`" in line for line in lines if "`" in line)
    assert not any(line.startswith(("- ", "1. ", "GB")) for line in lines)


def test_heading_anchors_are_githubs():
    assert mu.heading_slugs(["# Kom igång", "## Vad IT måste tillåta?", "## Kom igång",
                             "# [Länk](x.md) `kod`"]) == [
        "kom-igång", "vad-it-måste-tillåta", "kom-igång-1", "länk-kod"]
