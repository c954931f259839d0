"""The prose of a chapter, LaTeX to HTML, numbered as the PDF numbers it.

Pandoc converts the LaTeX (citations from bib/book.bib through citeproc, math
as MathML). Before it runs, this module resolves what Pandoc would number its
own way or drop: \\ref to chapters, sections and figures (numbers computed here
the way LaTeX's book class computes them), \\planned references, \\index terms
(kept as anchors for the subject index) and figure files (SVG renderings of the
same TikZ). After it runs, headings and figure captions get their numbers.
"""
import html
import os
import re
import subprocess

HEADING = re.compile(r"\\(chapter|section|subsection|subsubsection)(\*?)\s*\{|"
                     r"\\begin\{figure\}|\\end\{figure\}|\\label\{([^}]*)\}|"
                     r"\\(appendix|mainmatter)\b")


class Labels:
    """Numbers for every \\label of the book: label -> (page, anchor, text)."""

    def __init__(self):
        self.map = {}
        self.sections = {}      # page -> [number of each numbered h2/h3, in order]
        self.figures = {}       # page -> [number of each figure, in order]

    def scan(self, page, chapter, text):
        """chapter: the chapter's number as xref computed it (P, 1, A)."""
        sec = sub = fig = 0
        last = (page, "", "the preface" if chapter == "P" else chapter)
        in_fig = False
        self.sections[page], self.figures[page] = [], []
        for m in HEADING.finditer(text):
            kind, star, label = m.group(1), m.group(2), m.group(3)
            if m.group(0).startswith("\\begin{figure"):
                fig += 1
                in_fig = True
                self.figures[page].append(f"{chapter}.{fig}")
            elif m.group(0).startswith("\\end{figure"):
                in_fig = False
            elif label is not None:
                if in_fig:
                    self.map[label] = (page, label, f"{chapter}.{fig}")
                elif label.startswith("ch:"):
                    self.map[label] = (page, "", last[2] if chapter == "P" else chapter)
                else:
                    self.map[label] = (page, label, last[2])
            elif kind == "chapter":
                last = (page, "", chapter)
            elif kind == "section" and not star:
                sec, sub = sec + 1, 0
                last = (page, "", f"{chapter}.{sec}")
                self.sections[page].append(last[2])
            elif kind == "subsection" and not star:
                sub += 1
                last = (page, "", f"{chapter}.{sec}.{sub}")
                self.sections[page].append(last[2])


def preprocess(src, page, labels, figures, index_terms):
    src = re.sub(r"\\(mainmatter|appendix|frontmatter|backmatter)\b", "", src)
    src = re.sub(r"\\part\{([^}]*)\}", r"\\begin{center}\\textsc{Part: \1}\\end{center}", src)

    def inp(m):
        path = m.group(1)
        if path.startswith("figures/"):
            name = os.path.basename(path).replace(".tex", "")
            return f"\\includegraphics{{figures/{name}.svg}}" if name in figures else ""
        return open(path).read() if os.path.exists(path) else ""
    src = re.sub(r"\\input\{([^}]*)\}", inp, src)
    src = re.sub(r"\\planned\{((?:[^{}]|\{[^{}]*\})*)\}", r"\1\\textsuperscript{†}", src)

    def index(m):
        index_terms.append(m.group(1))
        return f"ZIXZ{len(index_terms) - 1}ZIXZ"
    src = re.sub(r"\\index\{((?:[^{}]|\{[^{}]*\})*)\}", index, src)

    def ref(m):
        lab = m.group(1)
        if lab not in labels.map:
            return "??"
        p, anchor, num = labels.map[lab]
        href = (p if p != page else "") + (f"#{anchor}" if anchor else "")
        return f"\\href{{{href or '#'}}}{{{num}}}"
    src = re.sub(r"\\ref\{([^}]*)\}", ref, src)
    src = re.sub(r"\\(toprule|midrule|bottomrule)", r"\\hline", src)
    src = re.sub(r"\\quad\b\s*", "\u2003", src)        # Pandoc drops \quad
    return src


def pandoc(src):
    return subprocess.run(
        ["pandoc", "-f", "latex", "-t", "html5", "--citeproc", "--bibliography",
         "bib/book.bib", "--mathml", "--wrap=none", "--metadata", "link-citations=true"],
        input=src, check=True, capture_output=True, text=True).stdout


def number(out, page, labels, chapter_title):
    """Put the PDF's numbers on the headings and the figure captions."""
    secs = iter(labels.sections.get(page, []))

    def heading(m):
        if "unnumbered" in m.group(2):
            return m.group(0)
        n = next(secs, None)
        return m.group(0) if n is None else f'{m.group(0)}<span class="secno">{n}</span> '
    out = re.sub(r"<(h[23])([^>]*)>", heading, out)
    figs = iter(labels.figures.get(page, []))
    out = re.sub(r"<figcaption([^>]*)>",
                 lambda m: f'<figcaption{m.group(1)}><span class="figno">Figure {next(figs, "?")}:</span> ',
                 out)
    if chapter_title:
        out = re.sub(r"<h1([^>]*)>", rf'<h1\1><span class="chapno">{chapter_title}</span> ',
                     out, count=1)
    return out


def index_anchors(out, terms, page, entries):
    """Replace the \\index placeholders with anchors, remembering each term
    with the heading it falls under (for the subject index)."""
    heading = ""
    pos, parts = 0, []
    for m in re.finditer(r"<h[1-3][^>]*>(.*?)</h[1-3]>|ZIXZ(\d+)ZIXZ", out, re.S):
        parts.append(out[pos:m.start()])
        if m.group(2) is None:
            heading = re.sub(r"<[^>]+>", "", m.group(1)).strip()
            parts.append(m.group(0))
        else:
            k = int(m.group(2))
            anchor = f"ix{k}"
            parts.append(f'<a class="ix" id="{anchor}"></a>')
            entries.append((terms[k], page, anchor, heading))
        pos = m.end()
    parts.append(out[pos:])
    return "".join(parts)


def term_key(term):
    """An \\index argument as (sort key, display HTML) pairs, one per level."""
    levels = []
    term = re.sub(r"\s+", " ", term)
    for level in term.split("!"):
        key, _, shown = level.partition("@")
        shown = shown or key
        shown = re.sub(r"\\texttt\{([^}]*)\}", r"<code>\1</code>", shown)
        shown = shown.replace("\\_", "_").replace("\\#", "#").replace("\\&", "&")
        shown = re.sub(r"\\[a-zA-Z]+\s*", "", shown).replace("{", "").replace("}", "")
        levels.append((re.sub(r"\\[a-zA-Z]+|[{}\\]", "", key).strip().lower(),
                       shown.strip()))     # makeindex's merge: by key and shown text
    return levels


def escape_text(s):
    return html.escape(s)
