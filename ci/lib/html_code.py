"""Code chunks and quoted code for the HTML edition.

The segments come from xref.py, the same the PDF's weaver uses: identifiers
link to the definition the cross-reference analysis chose, chunk uses link to
the chunk's first definition. This module adds only the highlighting (comments,
strings, keywords, numbers, registers, directives) and the HTML.
"""
import html
import re

C_KEYWORDS = set("""auto break case char const continue default do double else enum extern
float for goto if inline int long register restrict return short signed sizeof static struct
switch typedef union unsigned void volatile while bool true false asm __asm__ _Static_assert
__attribute__ __typeof__ NULL""".split())
TOKEN = re.compile(r"""
  (?P<comment>/\*.*?(\*/|$)|//.*$)
 |(?P<string>"(?:\\.|[^"\\])*"?|'(?:\\.|[^'\\])*'?)
 |(?P<pre>^\s*\#\s*\w+)
 |(?P<num>\b(?:0x[0-9a-fA-F]+|\d+)[uUlL]*\b)
 |(?P<reg>%%?[a-z][a-z0-9]*)
 |(?P<dir>(?:(?<=^)|(?<=\s))\.[a-z_][a-z0-9_]*)
 |(?P<word>[A-Za-z_]\w*)
""", re.X)
CLASS = {"comment": "cm", "string": "st", "pre": "pp", "num": "nu", "reg": "rg", "dir": "dr"}


def chunk_name(name):
    """Chunk names may contain [[quoted code]]."""
    return re.sub(r"\[\[(.*?)\]\]", r"<code>\1</code>", html.escape(name))


class CodeRenderer:
    """href(chunk) gives the URL of a chunk from the page being written."""

    def __init__(self, x, first_def, href):
        self.x, self.first_def, self.href = x, first_def, href

    def _spans(self, text, state):
        spans, i = [], 0
        if state.get("comment"):
            end = text.find("*/")
            if end < 0:
                return [(0, len(text), "cm")]
            spans.append((0, end + 2, "cm"))
            i = end + 2
            state["comment"] = False
        for m in TOKEN.finditer(text, i):
            if m.start() > i:
                spans.append((i, m.start(), None))
            kind = m.lastgroup
            cls = CLASS.get(kind)
            if kind == "comment" and m.group(0).startswith("/*") and not m.group(0).endswith("*/"):
                state["comment"] = True
            if kind == "word":
                cls = "kw" if m.group(0) in C_KEYWORDS else None
            spans.append((m.start(), m.end(), cls))
            i = m.end()
        if i < len(text):
            spans.append((i, len(text), None))
        return spans

    def line(self, segs, state, own=None):
        """Highlight the line's text as a whole, then put the links in: an
        identifier keeps the colour of the span it falls in."""
        text, marks = "", []                # (start, end, html)
        for s in segs:
            if s[0] == "text":
                text += s[1]
            elif s[0] == "id":
                link = None
                if s[2] is not None and s[2] is not own:
                    link = (f'<a class="id" href="{self.href(s[2])}">'
                            f'{html.escape(s[1])}</a>')
                marks.append((len(text), len(text) + len(s[1]), link))
                text += s[1]
            else:
                d = self.first_def.get(s[1])
                if d is not None:
                    h = (f'<a class="chunkref" href="{self.href(d)}">&#x27E8;{chunk_name(s[1])} '
                         f'<span class="tag">{self.x.tag[d]}</span>&#x27E9;</a>')
                else:
                    h = f"&#x27E8;{html.escape(s[1])}&#x27E9;"
                marks.append((len(text), len(text) + 1, h))
                text += "\x00"
        out = []
        for start, end, cls in self._spans(text, state):
            inner, p = [], start
            for ms, me, h in marks:
                if ms >= start and me <= end:
                    inner.append(html.escape(text[p:ms]))
                    inner.append(h if h else html.escape(text[ms:me]))
                    p = me
            inner.append(html.escape(text[p:end]))
            body = "".join(inner).replace("\x00", "")
            out.append(f'<span class="{cls}">{body}</span>' if cls else body)
        return "".join(out)

    def chunk(self, c, notes):
        x = self.x
        state = {}
        lines = [self.line(segs, state, c) for segs in x.lines(c)]
        while lines and not lines[-1].strip():
            lines.pop()
        first = self.first_def[c.name]
        eq = "+&#x2261;" if first is not c else "&#x2261;"
        head = (f'<div class="chunkhead"><a class="tag" href="#{x.label[c]}">{x.tag[c]}</a> '
                f'&#x27E8;<a class="chunkname" href="{self.href(first)}">{chunk_name(c.name)}</a>'
                f' <span class="tag">{x.tag[first]}</span>&#x27E9;{eq}</div>')
        return (f'<div class="chunk" id="{x.label[c]}">{head}<pre class="code">'
                + "\n".join(lines) + f'</pre><div class="notes">{notes}</div></div>')

    def quote(self, text):
        out = []
        for s in self.x.quote(text):
            if s[0] == "id" and s[2] is not None:
                out.append(f'<a class="id" href="{self.href(s[2])}">{html.escape(s[1])}</a>')
            else:
                out.append(html.escape(s[1]))
        return "<code>" + "".join(out) + "</code>"
