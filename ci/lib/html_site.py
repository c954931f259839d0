"""The HTML edition's pages: the frame every page shares (a contents sidebar
with a search box), the contents page, the three indexes, and the search
index, which is built here, at build time, and searched in the browser with
no outside service (search.js; the index loads as a script, so the edition
works from file:// as well as from a server).
"""
import html
import json
import os
import re

TITLE = "Interrupts and Time on x86-64"


class Site:
    def __init__(self, out, chapters, parts):
        """chapters: [(page, number, title)] in reading order; number is ''
        for the preface, '1'... for chapters, 'A'... for appendices; parts:
        the title of the part each chapter belongs to."""
        self.out, self.chapters = out, chapters
        self.parts = dict(zip((c[0] for c in chapters), parts))
        self.sections = {}          # page -> [(id, number, title)]
        self.search = []            # [{t: title, u: url, x: text}]

    def label(self, number):
        if not number:
            return ""
        return f"Appendix {number}" if number.isalpha() else f"Chapter {number}"

    def collect(self, page, body):
        """The page's numbered headings (for the sidebar) and its text, one
        search entry per section."""
        secs = []
        for m in re.finditer(r'<h([23])[^>]*id="([^"]+)"[^>]*>(.*?)</h\1>', body, re.S):
            title = re.sub(r"<[^>]+>", "", m.group(3)).strip()
            secs.append((m.group(2), int(m.group(1)), title))
        self.sections[page] = secs
        cuts = [(0, "", "")] + [(m.start(), m.group(2), re.sub(r"<[^>]+>", "", m.group(3)).strip())
                                for m in re.finditer(r'<h([1-3])[^>]*id="([^"]+)"[^>]*>(.*?)</h\1>',
                                                     body, re.S)]
        for k, (start, anchor, title) in enumerate(cuts):
            end = cuts[k + 1][0] if k + 1 < len(cuts) else len(body)
            text = re.sub(r"<[^>]+>", " ", body[start:end])
            text = re.sub(r"\s+", " ", html.unescape(text)).strip()
            if text:
                chap = next((c for c in self.chapters if c[0] == page), None)
                where = chap[2] if chap else page
                self.search.append({"t": title or where, "c": where,
                                    "u": page + (f"#{anchor}" if anchor else ""), "x": text})

    def sidebar(self, current):
        items = []
        for page, number, title in self.chapters:
            num = f'<span class="n">{number}</span> ' if number else ""
            cls = ' class="here"' if page == current else ""
            sub = ""
            if page == current and self.sections.get(page):
                sub = "<ul>" + "".join(
                    f'<li class="l{lvl}"><a href="#{i}">{html.escape(t)}</a></li>'
                    for i, lvl, t in self.sections[page]) + "</ul>"
            items.append(f'<li{cls}><a href="{page}">{num}{html.escape(title)}</a>{sub}</li>')
        return ('<nav class="side" aria-label="Contents">'
                f'<a class="booktitle" href="index.html">{TITLE}</a>'
                '<form class="search" role="search" onsubmit="return false">'
                '<input id="q" type="search" placeholder="Search the book" aria-label="Search"'
                ' autocomplete="off"><div id="results"></div></form>'
                f'<ul class="toc">{"".join(items)}</ul>'
                '<p class="indexes"><a href="subjects.html">Subjects</a> &#xB7; '
                '<a href="chunks.html">Chunks</a> &#xB7; <a href="identifiers.html">Identifiers</a></p>'
                '</nav>')

    def write(self, name, title, body, prev=None, nxt=None):
        p = f'<a href="{prev}" rel="prev">&#x2190; Previous</a>' if prev else ""
        n = f'<a href="{nxt}" rel="next">Next &#x2192;</a>' if nxt else ""
        pn = f'<nav class="pn">{p}{n}</nav>'
        doc = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} &#x2014; {TITLE}</title>
<link rel="stylesheet" href="book.css"></head>
<body>{self.sidebar(name)}<main>
{body}
{pn}</main>
<script src="search-index.js"></script><script src="search.js"></script>
</body></html>
"""
        open(os.path.join(self.out, name), "w").write(doc)

    def write_search(self):
        data = json.dumps(self.search, separators=(",", ":"), ensure_ascii=False)
        open(os.path.join(self.out, "search-index.js"), "w").write(f"var SEARCH_INDEX={data};\n")
        open(os.path.join(self.out, "search.js"), "w").write(SEARCH_JS)

    def contents(self, first):
        groups, cur, roman = [], None, {}
        for page, number, title in self.chapters:
            group = self.parts[page]
            if group not in ("Front matter", "Appendices") and group not in roman:
                roman[group] = "I" * (len(roman) + 1) if len(roman) < 3 else str(len(roman) + 1)
            if group in roman:
                group = f"Part {roman[group]}. {group}"
            if group != cur:
                groups.append((group, []))
                cur = group
            secs = " &#xB7; ".join(f'<a href="{page}#{i}">{html.escape(t)}</a>'
                                   for i, lvl, t in self.sections.get(page, []) if lvl == 2)
            label = self.label(number)
            groups[-1][1].append(
                f'<li><a class="chap" href="{page}">{label + ". " if label else ""}'
                f'{html.escape(title)}</a><div class="secs">{secs}</div></li>')
        toc = "".join(f'<h3>{g}</h3><ul class="toc">{"".join(items)}</ul>' for g, items in groups)
        body = (f"<h1>{TITLE}</h1><p class=\"subtitle\">A literate kernel</p>"
                "<p>The HTML edition of the book; the same chapters make the PDF "
                "(<a href=\"../book.pdf\"><code>build/book.pdf</code></a>), with the same "
                "chunk, section and figure numbers. Chunk names link to their definitions, "
                "identifiers in code link to where they are defined, and the notes under "
                "each chunk say where it and what it defines are used. The search box "
                "searches the whole book, offline.</p>"
                f"<h2>Contents</h2>{toc}"
                '<p><a href="subjects.html">Index of subjects</a> &#xB7; '
                '<a href="chunks.html">Index of chunks</a> &#xB7; '
                '<a href="identifiers.html">Index of identifiers</a></p>')
        self.write("index.html", "Contents", body, None, first)


SEARCH_JS = r"""// Offline search over SEARCH_INDEX (built with the edition by ci/html).
(function () {
  var q = document.getElementById('q'), box = document.getElementById('results');
  if (!q || typeof SEARCH_INDEX === 'undefined') return;
  function esc(s) { return s.replace(/[&<>"]/g, function (c) {
    return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;'}[c]; }); }
  function run() {
    var words = q.value.toLowerCase().split(/\s+/).filter(function (w) { return w.length > 1; });
    if (!words.length) { box.innerHTML = ''; return; }
    var hits = [];
    SEARCH_INDEX.forEach(function (e) {
      var text = e.x.toLowerCase(), title = e.t.toLowerCase(), score = 0;
      for (var i = 0; i < words.length; i++) {
        var at = text.indexOf(words[i]);
        if (at < 0 && title.indexOf(words[i]) < 0) return;
        score += (title.indexOf(words[i]) >= 0 ? 10 : 0) + (at >= 0 ? 1 : 0);
      }
      hits.push([score, e]);
    });
    hits.sort(function (a, b) { return b[0] - a[0]; });
    box.innerHTML = hits.slice(0, 20).map(function (h) {
      var e = h[1], t = e.x.toLowerCase(), at = Math.max(0, t.indexOf(words[0]) - 40);
      var snip = (at > 0 ? '\u2026' : '') + e.x.substr(at, 120) + '\u2026';
      return '<a href="' + e.u + '"><b>' + esc(e.t) + '</b> <i>' + esc(e.c) +
             '</i><br><span>' + esc(snip) + '</span></a>';
    }).join('') || '<p>No match.</p>';
  }
  q.addEventListener('input', run);
  var pre = /[?&]q=([^&]*)/.exec(location.search);   // page.html?q=words searches at once
  if (pre) { q.value = decodeURIComponent(pre[1].replace(/\+/g, ' ')); run(); }
})();
"""
