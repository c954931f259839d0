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


def _preamble():
    book = open("chapters/book.tex").read()
    libs = re.search(r"\\usepackage\{tikz\}.*?\n(\\usetikzlibrary\{[^}]*\})", book, re.S).group(1)
    return ("\\documentclass[tikz,border=0pt]{standalone}\n\\usepackage[T1]{fontenc}\n"
            "\\usepackage{lmodern}\n\\usepackage{amsmath}\n\\usepackage{textcomp}\n"
            + libs + "\n")


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
    stamp_file = os.path.join(OUT, "preamble.tex")
    if not os.path.exists(stamp_file) or open(stamp_file).read() != preamble:
        open(stamp_file, "w").write(preamble)
    stamp = os.path.getmtime(stamp_file)
    made, errors = {}, []
    with cf.ThreadPoolExecutor(jobs) as ex:
        for name, pdf, err in ex.map(lambda s: _compile(s, preamble, stamp),
                                     sorted(glob.glob("figures/*.tex"))):
            if err:
                errors.append(err)
            else:
                made[name] = pdf
    if errors:
        raise RuntimeError("\n".join(errors))
    return made
