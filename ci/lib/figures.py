"""The book's figures, compiled once and reused by both editions.

Each figures/NAME.tex is a tikzpicture. Typesetting TikZ in every pass of the
book costs seconds a pass, so each figure is compiled on its own (a standalone
document with the book's fonts and TikZ libraries) to build/figures/NAME.pdf,
again only when its source or the book's preamble changed; the PDF edition
includes that PDF, the HTML edition converts it to SVG.
"""
import concurrent.futures as cf
import glob
import os
import re
import subprocess

OUT = "build/figures"


def _labels():
    """Chapter, section and figure numbers by label, as the book numbers
    them, for a figure that says "Chapter~\\ref{ch:irq}"."""
    import html_prose
    labels, mode, n = html_prose.Labels(), "front", 0
    for f in sorted(glob.glob("chapters/[0-9]*.nw")):
        text = open(f, encoding="utf-8").read()
        chapter = None
        for m in re.finditer(r"\\(appendix|mainmatter|chapter)\b(\*?)", text):
            if m.group(1) == "appendix":
                mode, n = "appendix", 0
            elif m.group(1) == "mainmatter":
                mode, n = "main", 0
            elif not m.group(2) and chapter is None:
                if mode == "front":
                    chapter = "P"
                else:
                    n += 1
                    chapter = str(n) if mode == "main" else chr(ord("A") + n - 1)
        labels.scan(f, chapter or "P", text)
    return {k: v[2] for k, v in labels.map.items()}


def _preamble():
    book = open("chapters/book.tex").read()
    libs = re.search(r"\\usepackage\{tikz\}.*?\n(\\usetikzlibrary\{[^}]*\})", book, re.S).group(1)
    return ("\\documentclass[tikz,border=0pt]{standalone}\n\\usepackage[T1]{fontenc}\n"
            "\\usepackage{lmodern}\n\\usepackage{amsmath}\n\\usepackage{textcomp}\n"
            + libs + "\n")


def _refs():
    return "".join(f"\\expandafter\\def\\csname figref@{k}\\endcsname{{{v}}}\n"
                   for k, v in sorted(_labels().items())) + \
        "\\renewcommand\\ref[1]{\\csname figref@#1\\endcsname}\n"


def _stamp(name, text):
    """A file holding text, rewritten only when text changes: its mtime says
    since when the text has been what it is."""
    path = os.path.join(OUT, name)
    if not os.path.exists(path) or open(path).read() != text:
        open(path, "w").write(text)
    return os.path.getmtime(path)


def _compile(src, preamble, stamp):
    name = os.path.basename(src)[:-4]
    pdf = os.path.join(OUT, name + ".pdf")
    if os.path.exists(pdf) and os.path.getmtime(pdf) >= max(os.path.getmtime(src), stamp):
        return name, pdf, None
    doc = os.path.join(OUT, name + ".tex")
    open(doc, "w").write(preamble + "\\begin{document}\n"
                         f"\\input{{{os.path.abspath(src)}}}\n\\end{{document}}\n")
    r = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error",
                        "-file-line-error", "-output-directory", OUT, doc],
                       capture_output=True, text=True)
    if r.returncode != 0:
        errors = [l for l in r.stdout.splitlines() if re.match(r"^(\S+:\d+:|!)", l)]
        return name, None, f"{src}: LaTeX failed: " + "; ".join(errors[:3])
    return name, pdf, None


def build(jobs=2):
    """Compile what is stale; returns {name: pdf}. Raises on a broken figure,
    naming its file."""
    os.makedirs(OUT, exist_ok=True)
    preamble = _preamble()
    stamp = _stamp("preamble.tex", preamble)
    import benchfig
    import timelines
    sources = sorted(glob.glob("figures/*.tex")) + benchfig.build() + timelines.build()
    # Only a figure that refers to a chapter, section or figure number needs
    # the numbers, and is compiled again when they change.
    with_refs = {s for s in sources if "\\ref{" in open(s).read()}
    if with_refs:
        refs = _refs()
        refs_stamp = max(stamp, _stamp("refs.tex", refs))

    def one(src):
        if src in with_refs:
            return _compile(src, preamble + refs, refs_stamp)
        return _compile(src, preamble, stamp)
    made, errors = {}, []
    with cf.ThreadPoolExecutor(jobs) as ex:
        for name, pdf, err in ex.map(one, sources):
            if err:
                errors.append(err)
            else:
                made[name] = pdf
    if errors:
        raise RuntimeError("\n".join(errors))
    return made
