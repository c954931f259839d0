"""The one reader of noweb chapters for every tool in ci/.

noweb's own parser (markup, with tabs kept) turns the chapters into a
line-oriented stream;
this module reads that stream into chunks, and offers what the tools need:
the chunk definitions and uses with their chapter lines (nwlint), the code
of each chunk (booklint), the roots and their expansion into files (tangle),
and the documentation text with its quoted code (the HTML edition).

    doc = noweb.read(["chapters/01-boot.nw", ...])
    doc.code_chunks, doc.defs["kernel/main.c"], doc.uses["Enter long mode"]
    text, chapters = doc.tangle("kernel/main.c", line_directives=False)
"""
import os
import subprocess

# noweb's parser; the pipeline tests put a failing one in its place.
MARKUP = os.environ.get("NOWEB_MARKUP", "/usr/lib/noweb/markup")


class Part:
    """A piece of a code line: text, or the use of another chunk."""
    __slots__ = ("kind", "value")

    def __init__(self, kind, value):
        self.kind, self.value = kind, value


class Chunk:
    """A documentation or code chunk, in document order.

    Code chunks have a name, a header line (the <<name>>= line), and lines:
    each a (chapter line number, [Part, ...]) pair. Documentation chunks
    have pieces: ("text", s), ("quote", [s, ...]) and ("nl", None)."""

    def __init__(self, kind, number, file, line):
        self.kind, self.number, self.file, self.line = kind, number, file, line
        self.name = None
        self.lines = []
        self.pieces = []
        self.defines = []          # identifiers of the chunk's @ %def line

    def __repr__(self):
        return f"<{self.kind} {self.name or ''} {self.file}:{self.line}>"

    def text(self):
        """The code as plain text, uses written as <<name>>."""
        return "\n".join("".join(p.value if p.kind == "text" else f"<<{p.value}>>"
                                 for p in parts) for _, parts in self.lines)


class Document:
    def __init__(self, files):
        self.files = list(files)
        self.chunks = []
        self.defs = {}             # chunk name -> [code Chunk, ...] in order
        self.uses = {}             # chunk name -> [(Chunk, line), ...]

    @property
    def code_chunks(self):
        return [c for c in self.chunks if c.kind == "code"]

    def roots(self):
        """Chunk names defined and never used, in order of first definition."""
        return [n for n in self.defs if n not in self.uses]

    # ------------------------------------------------------------ tangling
    def tangle(self, root, line_directives=False, tabsize=8, separate=True):
        """Expand root into the text of a file, as notangle -t does: a used
        chunk continues the line it is used on, and its further lines are
        indented to the column of the use. With separate, the definitions of
        a chunk continued in several places are joined with one blank line
        between them (unless one is there already), so that continued
        functions never touch. With line_directives, '#line N "file"' lines
        say where each run of lines came from (for the compiler and gdb).
        Returns (text, [chapters that contributed lines, in chapter order])."""
        out = []                    # [(location or None, text)]
        cur = {"text": "", "loc": None}
        contributors = []

        def width(s):
            col = 0
            for ch in s:
                col = (col // tabsize + 1) * tabsize if ch == "\t" else col + 1
            return col

        def indent(col):
            return "\t" * (col // tabsize) + " " * (col % tabsize)

        def newline(ind, loc):
            out.append((cur["loc"], cur["text"]))
            cur["text"], cur["loc"] = ind, loc

        def expand(name, ind, stack):
            if name not in self.defs:
                raise KeyError(f"undefined chunk <<{name}>>")
            if name in stack:
                raise ValueError(f"chunk <<{name}>> uses itself")
            first_line = True
            prev_blank = False
            for k, chunk in enumerate(self.defs[name]):
                if chunk.file not in contributors:
                    contributors.append(chunk.file)
                if separate and k > 0 and not prev_blank and chunk.lines \
                        and not _blank(chunk.lines[0][1]):
                    newline("", None)
                for lineno, parts in chunk.lines:
                    loc = (lineno, chunk.file)
                    if first_line:
                        # A line that is only the use's indentation so far
                        # comes from the used chunk, for the #line directives.
                        if cur["loc"] is None or cur["text"].strip() == "":
                            cur["loc"] = loc
                        first_line = False
                    else:
                        newline("" if _blank(parts) else ind, loc)
                    for p in parts:
                        if p.kind == "text":
                            cur["text"] += p.value
                        else:
                            expand(p.value, indent(width(cur["text"])), stack + [name])
                    prev_blank = _blank(parts)

        expand(root, "", [])
        out.append((cur["loc"], cur["text"]))
        order = {f: i for i, f in enumerate(self.files)}
        return _render(out, line_directives), sorted(contributors, key=order.get)


def _blank(parts):
    return all(p.kind == "text" and p.value.strip() == "" for p in parts)


def _render(out, line_directives):
    lines, last = [], None
    for loc, text in out:
        if line_directives and loc is not None:
            # never inside a macro continued with a backslash
            continued = lines and lines[-1].endswith("\\")
            if (last is None or loc != (last[0] + 1, last[1])) and not continued:
                lines.append(f'#line {loc[0]} "{loc[1]}"')
            last = loc
        lines.append(text)
    return "\n".join(lines) + "\n"


def read(files):
    """Read chapters through noweb's markup into a Document."""
    stream = subprocess.run([MARKUP, "-t", *files], check=True,
                            capture_output=True, text=True).stdout
    doc = Document(files)
    chunk, fname, line = None, None, 1
    parts, quote = [], None
    for raw in stream.split("\n"):
        key, _, rest = raw.partition(" ")
        if key == "@file":
            fname, line = rest, 1
        elif key == "@begin":
            kind, num = rest.split()
            chunk = Chunk(kind, int(num), fname, line)
            doc.chunks.append(chunk)
            parts = []
        elif key == "@end":
            if chunk is not None and chunk.kind == "code" and parts:
                chunk.lines.append((line, parts))
            chunk, parts = None, []
        elif key == "@defn":
            chunk.name = rest
            doc.defs.setdefault(rest, []).append(chunk)
        elif key == "@nl":
            if chunk is not None and chunk.kind == "code":
                if chunk.name is not None and (line != chunk.line):
                    chunk.lines.append((line, parts))
                parts = []
            elif chunk is not None:
                chunk.pieces.append(("nl", None))
            line += 1
        elif key == "@text":
            if quote is not None:
                quote.append(rest)
            elif chunk is not None and chunk.kind == "code":
                parts.append(Part("text", rest))
            elif chunk is not None:
                chunk.pieces.append(("text", rest))
        elif key == "@use":
            parts.append(Part("use", rest))
            doc.uses.setdefault(rest, []).append((chunk, line))
        elif key == "@quote":
            quote = []
        elif key == "@endquote":
            chunk.pieces.append(("quote", quote))
            quote = None
        elif raw == "@index nl":
            line += 1
        elif key == "@index":
            sub, _, arg = rest.partition(" ")
            if sub == "defn" and chunk is not None:
                chunk.defines.append(arg)
    return doc
