"""Cross-references that are true, for both editions of the book.

noweb's own finduses links every word of a code chunk that matches a defined
identifier: words in comments and strings, a local variable or a structure
field that happens to share a global's name, an assembly mnemonic that shares
a C function's name (cli, cpuid). And it cannot see a use made by token
pasting (do_##name), so it calls such identifiers "never used". This module
reads the chunks with a small lexer instead:

  - comments never count; an identifier inside a string (inline assembly's
    "call foo") is a mention: not a link, but enough to not call it unused;
  - a word after . or -> is a field, after % a register, after \\ a macro
    parameter, and a word declared in the chunk (a local, a parameter, a
    macro parameter) is that chunk's own;
  - the first word of an assembly statement is an instruction, unless it
    names one of the book's assembly macros;
  - a structure tag links only after struct, union or enum;
  - a word followed by ## (C) or by \\param (assembler macros) is a pasting
    prefix: a definition that starts with it may be used through it, so it
    is never called unused.

It also numbers the chunks the way both editions show them: chapter.number
(P.3 in the preface, 11.9 in chapter 11, A.4 in appendix A).

    x = xref.build(noweb.read(files))
    x.tag[chunk], x.label[chunk], x.lines(chunk), x.quote(text)
    x.defs[ident], x.uses[ident], x.unused(ident), x.chunk_users[name]
"""
import re

C_WORDS = {
    "auto", "break", "case", "char", "const", "continue", "default", "do",
    "double", "else", "enum", "extern", "float", "for", "goto", "if", "inline",
    "int", "long", "register", "restrict", "return", "short", "signed",
    "sizeof", "static", "struct", "switch", "typedef", "union", "unsigned",
    "void", "volatile", "while", "_Bool", "_Static_assert", "_Noreturn",
    "__attribute__", "__typeof__", "typeof", "asm", "__asm__", "bool",
}
NOT_TYPES = {"return", "case", "goto", "sizeof", "else", "do", "if", "while",
             "for", "switch", "define", "include", "undef", "ifdef", "ifndef",
             "elif", "endif", "pragma", "error"}
IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class Xref:
    def __init__(self, doc):
        self.doc = doc
        self.tag, self.label, self.chapter_of = {}, {}, {}
        self.lang = {}
        self.defs = {}              # ident -> [chunk], document order
        self.uses = {}              # ident -> [chunk], document order, unique
        self.mentioned = set()      # idents seen in strings
        self.prefixes = set()       # pasting prefixes
        self.struct_tags = set()
        self.chunk_users = {}       # chunk name -> [chunk using it]
        self._lines = {}            # chunk -> [[segment]]
        self._roots = set(doc.roots())
        self._number()
        self._languages()
        for c in doc.code_chunks:
            for ident in c.defines:
                if IDENT.fullmatch(ident):
                    self.defs.setdefault(ident, [])
                    if c not in self.defs[ident]:
                        self.defs[ident].append(c)
            for _, parts in c.lines:
                for p in parts:
                    if p.kind == "use":
                        users = self.chunk_users.setdefault(p.value, [])
                        if c not in users:
                            users.append(c)
        self.macros = set()         # macros, assembly's and the preprocessor's
        self.asm_macros = set()
        self.typedefs = {"u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64",
                         "size_t", "bool", "uintptr_t"}
        # What kind of name each definition is, found in one pass over the
        # defining chunks: structure tags, macros (the preprocessor's and
        # the assembler's, and assembler symbols set with =), typedefs.
        every = "\n".join(c.text() for c in doc.code_chunks)
        asm_macros = set(re.findall(r"\.macro\s+(\w+)", every))
        for c in {c for chunks in self.defs.values() for c in chunks}:
            text = c.text()
            tags = set(re.findall(r"\b(?:struct|union|enum)\s+(?:__attribute__\s*\(\([^)]*\)\)\s*)?"
                                  r"(\w+)\s*\{", text))
            macros = set(re.findall(r"(?:\.macro|#\s*define)\s+(\w+)", text)) | \
                set(re.findall(r"^\s*(\w+)\s*=", text, re.M))
            types = set(re.findall(r"\btypedef\b[^;]*?\b(\w+)\s*;", text))
            for ident in c.defines:
                if ident in tags:
                    self.struct_tags.add(ident)
                if ident in macros:
                    self.macros.add(ident)
                if ident in types:
                    self.typedefs.add(ident)
        self.asm_macros = {i for i in self.defs if i in asm_macros}
        self.macros |= self.asm_macros
        for c in doc.code_chunks:
            self._lines[c] = self._lex(c)

    # ------------------------------------------------------------ numbering
    def _number(self):
        """Chapters are numbered as LaTeX's book class numbers them: none in
        the front matter (the preface is P), 1, 2, ... in the main matter, A,
        B, ... after \\appendix. Chunks are numbered within their chapter."""
        mode, n, cur, seq = "front", 0, "P", {}
        for c in self.doc.chunks:
            if c.kind == "docs":
                text = "".join(p[1] for p in c.pieces if p[0] == "text")
                for m in re.finditer(r"\\(appendix|mainmatter|chapter)\b(\*?)", text):
                    if m.group(1) == "appendix":
                        mode, n = "appendix", 0
                    elif m.group(1) == "mainmatter":
                        mode, n = "main", 0
                    elif not m.group(2):
                        if mode != "front":
                            n += 1
                            cur = str(n) if mode == "main" else chr(ord("A") + n - 1)
                        self.chapter_of.setdefault(c.file, cur)
            else:
                seq[cur] = seq.get(cur, 0) + 1
                self.tag[c] = f"{cur}.{seq[cur]}"
                self.label[c] = "c" + self.tag[c].replace(".", "-")

    def _languages(self):
        """Each chunk's language, from the file it ends up in (a header that
        holds assembler macros is assembly), and that file."""
        seen = {}
        self.root_of = {}

        def walk(name, lang, root):
            for c in self.doc.defs.get(name, []):
                if c in seen:
                    continue
                seen[c] = lang
                self.root_of[c] = root
                for _, parts in c.lines:
                    for p in parts:
                        if p.kind == "use":
                            walk(p.value, lang, root)
        for root in self.doc.roots():
            lang = ("asm" if root.endswith(".S") else "ld" if root.endswith(".ld")
                    else "make" if root.endswith(".mk") or root.endswith("Makefile") else "c")
            walk(root, lang, root)
        for c in self.doc.code_chunks:
            self.lang[c] = seen.get(c, "c")
            if re.search(r"^\s*\.macro\b", c.text(), re.M):
                self.lang[c] = "asm"
            self.root_of.setdefault(c, None)

    def _pick(self, ident, chunk):
        """The definition a use in chunk refers to: one in the same file if
        there is one, else the first in a file of the same kind (a make
        variable is not a C function of the same name)."""
        defs = self.defs[ident]
        same = [d for d in defs if self.root_of[d] is not None
                and self.root_of[d] == self.root_of[chunk]]
        if same:
            return same[0]
        kind = lambda c: self.lang[c] == "make"
        same = [d for d in defs if kind(d) == kind(chunk)]
        return same[0] if same else None

    # ------------------------------------------------------------ lexing
    def _lex(self, chunk):
        """The chunk's lines as segments: ('text', s), ('use', chunk name) and
        ('id', s, ident or None): an identifier, with the identifier it
        refers to when it is a use of a defined one."""
        lang = self.lang[chunk]
        state = {"comment": False}
        raw = []            # [[('text', s) | ('use', n) | ('word', s, ctx)]]
        for _, parts in chunk.lines:
            line = []
            for p in parts:
                if p.kind == "use":
                    line.append(("use", p.value))
                else:
                    line.extend(self._scan(p.value, state, lang))
            raw.append(line)
        words = None
        local = self._locals(words, chunk, lang)
        params = self._params(chunk)
        own = {d for d in chunk.defines}
        first_seen = set()
        out = []
        for line in raw:
            segs, stmt_start = [], True
            for w in line:
                if w[0] in ("text", "use"):
                    segs.append(w)
                    if w[0] == "text" and (";" in w[1] or w[1].rstrip().endswith(":")):
                        stmt_start = True if ";" in w[1] else stmt_start
                    continue
                _, s, ctx, _prev = w
                target = None
                if ctx == "string":
                    if s in self.defs and chunk not in self.defs[s]:
                        self.mentioned.add(s)
                elif ctx == "prefix":
                    if s not in params and len(s) > 1:
                        self.prefixes.add(s)
                elif ctx == "label":
                    stmt_start = True
                elif ctx == "directive":
                    stmt_start = False
                elif ctx == "code":
                    mnemonic = lang == "asm" and stmt_start
                    stmt_start = False
                    if s in own and s not in first_seen and lang != "asm":
                        first_seen.add(s)           # the defining occurrence
                    elif s in self.defs and s not in local:
                        if mnemonic and s not in self.macros:
                            pass                    # an instruction, not the C function
                        elif s in self.struct_tags and w[3] not in ("struct", "union", "enum"):
                            pass
                        elif s in self.asm_macros and lang != "asm":
                            pass                    # a word of a table, not the macro
                        else:
                            target = self._pick(s, chunk)
                if target:
                    lst = self.uses.setdefault(s, [])
                    if chunk not in lst:
                        lst.append(chunk)
                segs.append(("id", s, target))
            out.append(segs)
        return out

    def _scan(self, text, state, lang="c"):
        """Split one piece of code text into ('text', s) and
        ('word', s, context, previous significant token)."""
        out, i, n = [], 0, len(text)
        buf = ""
        prev = state.get("prev", "")

        def flush():
            nonlocal buf
            if buf:
                out.append(("text", buf))
                buf = ""
        while i < n:
            ch = text[i]
            if state["comment"]:
                j = text.find("*/", i)
                if j < 0:
                    j = n
                else:
                    j += 2
                    state["comment"] = False
                buf += text[i:j]
                i = j
                continue
            if lang == "make" and ch == "#":
                buf += text[i:]
                break
            if text.startswith("/*", i) and lang != "make":
                state["comment"] = True
                buf += "/*"
                i += 2
                continue
            if text.startswith("//", i) and lang != "make":
                buf += text[i:]
                break
            if ch == '"' and lang != "make":
                j = i + 1
                while j < n and text[j] != '"':
                    j += 2 if text[j] == "\\" else 1
                flush()
                out.append(("text", '"'))
                for m in re.finditer(r"[A-Za-z_][A-Za-z0-9_]*|[^A-Za-z_]+", text[i + 1:j]):
                    if IDENT.fullmatch(m.group(0)):
                        out.append(("word", m.group(0), "string", ""))
                    else:
                        out.append(("text", m.group(0)))
                out.append(("text", text[j:j + 1]))
                i = j + 1
                prev = '"'
                continue
            if ch == "'" and re.match(r"'(\\.|[^'\\])'", text[i:]):
                m = re.match(r"'(\\.|[^'\\])'", text[i:])
                buf += m.group(0)
                i += len(m.group(0))
                prev = "'"
                continue
            m = IDENT.match(text, i)
            if m and not (i > 0 and (text[i - 1].isalnum() or text[i - 1] == "_")):
                s = m.group(0)
                j = m.end()
                before = text[:i].rstrip()
                ctx = "code"
                if text[i - 1:i] in (".", "%", "\\", "@") or before.endswith("->") \
                        or (text[i - 1:i] == "#" or before.endswith("#")) and not before.endswith("##"):
                    ctx = "other"
                if before.endswith("##"):
                    ctx = "other"
                if text.startswith("##", j) or text.startswith(" ## ", j) \
                        or text.startswith("\\", j):
                    ctx = "prefix"
                if ctx == "code" and lang == "make" and not (
                        re.search(r"\$[({](call\s+)?$", text[:i])
                        or re.match(r"\s*[:?+]?=", text[j:]) and not text[:i].strip()):
                    ctx = "other"       # make: only $(NAME) and NAME = are names
                if ctx == "code" and lang == "asm" and (
                        text.startswith(":", j) and not text.startswith("::", j)
                        or re.search(r"(\.macro|#\s*define)\s+$", text[:i])):
                    ctx = "label"       # a definition, not a use
                flush()
                if ctx == "other" and lang == "asm" and text[i - 1:i] == ".":
                    out.append(("word", s, "directive", prev))
                elif ctx == "other":
                    out.append(("text", s))
                else:
                    out.append(("word", s, ctx, prev))
                prev = s
                i = j
                continue
            if ch.isdigit():
                m = re.compile(r"[0-9][A-Za-z0-9_.]*").match(text, i)
                buf += m.group(0)
                i = m.end()
                prev = m.group(0)
                continue
            buf += ch
            if not ch.isspace():
                prev = ch
            i += 1
        flush()
        state["prev"] = prev
        return out

    def _locals(self, words, chunk, lang):
        """Identifiers the chunk declares for itself: variables, parameters,
        macro parameters. A global of the same name is not what they mean."""
        if lang == "asm":
            return set()
        text = "\n".join("".join(p.value if p.kind == "text" else " " for p in parts)
                         for _, parts in chunk.lines)
        text = re.sub(r"/\*.*?\*/|//[^\n]*|\"(\\.|[^\"\\])*\"", " ", text, flags=re.S)
        toks = re.findall(r"->|[A-Za-z_][A-Za-z0-9_]*|[0-9][A-Za-z0-9_]*|\S", text)
        local = set()
        # Declarations with several declarators (u64 a = f(), run = g(5);):
        # in a statement that starts with a type, every name at parenthesis
        # depth 0 that follows a comma and precedes = , ; [ is declared.
        start, depth = 0, 0
        for k, t in enumerate(toks):
            if t in (";", "{", "}"):
                start, depth = k + 1, 0
                continue
            depth += t in ("(", "[") and 1 or t in (")", "]") and -1 or 0
            first = toks[start] if start < len(toks) else ""
            typed = first in C_WORDS - NOT_TYPES or first in self.typedefs
            nxt = toks[k + 1] if k + 1 < len(toks) else ""
            if typed and depth == 0 and k > start and toks[k - 1] == "," and \
                    IDENT.fullmatch(t) and nxt in ("=", ",", ";", "[") and \
                    t not in chunk.defines:
                local.add(t)
            if t == "*" and k >= 1 and toks[k - 1] == "(" and nxt and IDENT.fullmatch(nxt) \
                    and toks[k + 2:k + 3] == [")"]:
                local.add(nxt)          # (*name)(...): a function pointer's name
        for k, t in enumerate(toks):
            if not IDENT.fullmatch(t) or t in C_WORDS or t not in self.defs:
                continue
            if t in chunk.defines or t in self.struct_tags:
                continue
            nxt = toks[k + 1] if k + 1 < len(toks) else ""
            j = k - 1
            while j >= 0 and toks[j] == "*":
                j -= 1
            prv = toks[j] if j >= 0 else ""
            if nxt in ("=", ";", ",", "[", ")") and IDENT.fullmatch(prv) and prv not in NOT_TYPES:
                local.add(t)
        for m in re.finditer(r"#\s*define\s+\w+\(([^)]*)\)", text):
            for p in re.findall(r"[A-Za-z_]\w*", m.group(1)):
                local.add(p)
        return local

    def _params(self, chunk):
        """The parameters of the macros a chunk defines (#define F(a, b),
        .macro m a, b): pasted onto, they are not prefixes of names."""
        text = chunk.text()
        params = set()
        for m in re.finditer(r"#\s*define\s+\w+\(([^)]*)\)", text):
            params.update(re.findall(r"[A-Za-z_]\w*", m.group(1)))
        for m in re.finditer(r"\.irpc?\s+(\w+)", text):
            params.add(m.group(1))
        for m in re.finditer(r"\.macro\s+\w+[ \t,]*([^\n]*)", text):
            params.update(re.findall(r"[A-Za-z_]\w*", re.sub(r"=[^,\s]*", "", m.group(1))))
        return params

    # ------------------------------------------------------------ queries
    def lines(self, chunk):
        return self._lines[chunk]

    def quote(self, text):
        """Quoted code in the prose, as segments: identifiers link to their
        definitions, but a quote is not a use."""
        segs = []
        for part in self._scan(text, {"comment": False}):
            if part[0] == "word":
                s = part[1]
                ok = part[2] == "code" and s in self.defs and \
                    (s not in self.struct_tags or part[3] in ("struct", "union", "enum"))
                target = None
                if ok:
                    code = [d for d in self.defs[s] if self.lang[d] != "make"]
                    target = (code or self.defs[s])[0]
                segs.append(("id", s, target))
            else:
                segs.append(part)
        return segs

    def unused(self, ident):
        """True only when no chunk uses ident by name, no string mentions
        it, and no pasting prefix could make it."""
        if self.uses.get(ident) or ident in self.mentioned:
            return False
        return not any(ident.startswith(p) and ident != p for p in self.prefixes)

    def notes(self, c):
        """What the one line under a chunk says, for both editions: the
        chunks that use it (or the file it is written to, for a root), the
        chunk it continues in, and each identifier it defines with the other
        chunks that use it ('here' when only this one does; 'unused' when
        unused() is sure; None when a pasting prefix leaves it open)."""
        defs = self.doc.defs[c.name]
        users = self.chunk_users.get(c.name, [])
        k = defs.index(c)
        root = c.name if not users and k == 0 and c.name in self._roots else None
        items = []
        for ident in c.defines:
            if not IDENT.fullmatch(ident):
                continue
            uses = [u for u in self.uses.get(ident, []) if u is not c]
            status = (uses if uses else "here" if self.uses.get(ident)
                      else "unused" if self.unused(ident) else None)
            items.append((ident, status))
        return {"users": users, "root": root,
                "next": defs[k + 1] if k + 1 < len(defs) else None, "defines": items}

    def uncertain(self, ident):
        return not self.uses.get(ident) and not self.unused(ident)


def build(doc):
    return Xref(doc)
