"""Figures drawn from the kernel's own traces.

The kernel's tracer exports what each CPU did (interrupts, exceptions,
softirqs, tasklets, timers, system calls, context switches and the IPIs
between CPUs) as a Chrome trace-event JSON document: the format that
Perfetto's UI and chrome://tracing load ("Trace Event Format", Google). It
prints the document over the serial line between two marker lines, one
event a line, possibly with other CPUs' printk lines in between:

    --- trace export begin ---
    {"displayTimeUnit":"ns","traceEvents":[
    {"name":"irq 239","cat":"irq","ph":"B","ts":12.345,"pid":0,"tid":1},
    ...
    {"name":"thread_name","ph":"M","pid":0,"tid":1,"args":{"name":"CPU 1"}}
    ]}
    --- trace export end ---

ts is in microseconds (the fraction holds the nanoseconds) and tid is the
CPU. This module gets the document out of such a log (extract), reads it
(load), cuts a time window and a set of CPUs out of it (select) and draws it
as a TikZ picture (tikz) in the style of the book's other figures: one lane
per CPU, time to the right, nested spans stacked in bands coloured by
category, instant events as small triangles, flows (an IPI from its sender
to its handler) as arrows. ci/lib/figures.py compiles the picture like any
other figure (standalone class, the book's TikZ libraries, lmodern, T1);
only plain TikZ is used.

From the command line:

    python3 ci/lib/tracefig.py LOG_OR_JSON OUT.tex [--from US] [--to US]
        [--cpus 0,1] [--cats irq,softirq] [--title T] [--json OUT.json]

--json saves the extracted trace, which Perfetto's UI opens as it is.
"""
import argparse
import collections
import json
import math
import os
import sys

BEGIN = "--- trace export begin ---"
END = "--- trace export end ---"

# ----------------------------------------------------------------------------
# Categories: (legend text, fill, hatching: None, "ne" or "nw" lines). The
# fills differ in lightness as well as in hue, and some are hatched, so that
# the bands that nest in one another (task, system call, exception, IRQ,
# softirq, tasklet or timer callback) stay apart when printed in grey.
CATEGORIES = collections.OrderedDict([
    ("task", ("task", "gray!15", None)),
    ("syscall", ("system call", "teal!35", None)),
    ("exception", ("exception", "orange!80", "nw")),
    ("irq", ("IRQ", "red!60", None)),
    ("ipi", ("IPI", "purple!50", "ne")),
    ("softirq", ("softirq", "blue!25", None)),
    ("tasklet", ("tasklet", "cyan!35", "ne")),
    ("timer", ("timer callback", "violet!40", "ne")),
    ("hrtimer", ("hrtimer callback", "yellow!60", None)),
    ("work", ("work item", "olive!35", "nw")),
    ("sched", ("scheduler", "brown!70", None)),
])
OTHER = ("other", "gray!45", "ne")
KEY_LETTERS = "abcdefghijklmnopqrstuvwxyz"

# Geometry, in cm.
BAND = 0.42         # one nesting level
TRIANGLE = 0.17     # an instant event's marker
ROW = 0.31          # one row of instant-event labels
MAX_ROWS = 3        # rows of labels above a lane, at most
LANE_GAP = 0.28     # between one lane's bands and the next lane
PT = 1 / 28.4528    # cm per TeX point

# The widths (TeX points) of the printable ASCII characters in lmodern, T1,
# \scriptsize of a 10pt document (measured with \settowidth), to decide
# whether a label fits in its box. \footnotesize is 1.07 times as wide.
_W7 = [float(w) for w in """
2.69 2.26 3.06 6.57 3.99 6.57 6.14 2.26 3.12 3.12 3.99 6.14 2.26 2.69 2.26
3.99 3.99 3.99 3.99 3.99 3.99 3.99 3.99 3.99 3.99 3.99 2.26 2.26 6.25 6.14
6.25 3.77 6.14 5.90 5.59 5.71 6.02 5.38 5.16 6.19 5.90 2.89 4.08 6.12 4.94
7.19 5.90 6.14 5.38 6.14 5.81 4.42 5.71 5.90 5.90 8.06 5.90 5.90 4.85 2.26
4.10 2.26 3.89 5.90 2.26 3.99 4.42 3.56 4.42 3.56 2.48 3.99 4.42 2.26 2.48
4.20 2.26 6.57 4.42 3.99 4.42 4.20 3.12 3.17 3.12 4.42 4.20 5.71 4.20 4.20
3.56 4.10 2.38 4.10 3.89""".split()]
ARROW = "\u2192"    # written as $\to$


_WX = {ARROW: 7.97, "\u2026": 10.67, "\u00b5": 4.42}


def _width(text, scale=1.0):
    """The width in cm of text (unescaped) set in \\scriptsize times scale."""
    w = 0.0
    for c in text:
        o = ord(c)
        w += _W7[o - 32] if 32 <= o < 127 else _WX.get(c, 7.0)
    return w * scale * PT


_TEX = {"\\": r"\textbackslash{}", "_": r"\_", "#": r"\#", "%": r"\%", "&": r"\&",
        "$": r"\$", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}",
        "^": r"\textasciicircum{}", "<": r"\textless{}", ">": r"\textgreater{}",
        "|": r"\textbar{}", '"': r"\textquotedbl{}", "`": r"\textasciigrave{}",
        ARROW: r"$\to$", "\u00b5": r"\textmu{}", "\u03bc": r"$\mu$",
        "\u2026": r"\ldots{}"}


def escape(text):
    """text (any object) as TeX that prints it: the special characters
    escaped, ligatures (--, ``) broken, other non-ASCII characters as '?'."""
    out = []
    prev = ""
    for c in str(text):
        if c in _TEX:
            out.append(_TEX[c])
        elif c == "-" and prev == "-":
            out.append("{}-")
        elif c in "\t\n\r":
            out.append(" ")
        elif ord(c) < 32 or ord(c) == 127:
            continue
        elif ord(c) > 126:
            out.append("?")
        else:
            out.append(c)
        prev = c
    return "".join(out)


def _shorten(text, n=24):
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[:n - 1].rstrip() + "\u2026"


# ----------------------------------------------------------------------------
# Reading.

class Extracted(str):
    """The JSON text extract() found, with what it met on the way:
    events (how many), malformed (a list of (line number, line, why) for
    lines that looked like JSON but were not a trace event: skipped),
    ignored (how many other lines, another CPU's printk), complete (the end
    marker and the closing ']}' were seen)."""

    def summary(self):
        s = f"{self.events} events"
        if self.ignored:
            s += f", {self.ignored} other lines ignored"
        if self.malformed:
            s += f", {len(self.malformed)} malformed lines skipped"
            for n, line, why in self.malformed[:5]:
                s += f"\n  line {n}: {why}: {_shorten(line, 70)}"
            if len(self.malformed) > 5:
                s += f"\n  ... and {len(self.malformed) - 5} more"
        if not self.complete:
            s += " (the export is incomplete: no end marker or no closing ']}')"
        return s


def _header(line):
    """The top-level fields of the '{"displayTimeUnit":"ns","traceEvents":['
    line, and what follows the '[' on it."""
    i = line.index('"traceEvents"')
    j = line.index("[", i)
    head = line[:i].rstrip().rstrip(",")
    fields = json.loads(head + "}") if head != "{" else {}
    if not isinstance(fields, dict):
        raise ValueError("not an object")
    return fields, line[j + 1:].strip()


def extract(serial_log_text, begin=BEGIN, end=END, which=-1):
    """The trace JSON the kernel printed between the begin and end marker
    lines of a serial log (the last export in the log, or the which-th).

    Each event is expected on a line of its own ('{...},'); lines that are
    neither JSON nor look like it (other CPUs' printk lines) are ignored;
    lines that start with '{' or end with ',' but are not one JSON trace
    event are malformed: skipped, counted and listed in the result's
    .malformed (see Extracted). The result is the JSON rebuilt from the good
    lines, one event a line. Raises ValueError if there is no export."""
    lines = serial_log_text.splitlines()
    starts = [i for i, l in enumerate(lines) if begin in l]
    if not starts:
        raise ValueError(f"no export in the log: no line holds {begin!r}")
    try:
        b = starts[which]
    except IndexError:
        raise ValueError(f"the log holds {len(starts)} exports, not {which + 1}") from None
    e = next((i for i in range(b + 1, len(lines)) if end in lines[i] or begin in lines[i]),
             len(lines))
    complete = e < len(lines) and end in lines[e]
    fields, events, malformed, ignored, closed = None, [], [], 0, False
    for n in range(b + 1, e):
        line = lines[n].strip().strip("\x00")
        if not line:
            continue
        if fields is None and line.startswith("{") and '"traceEvents"' in line:
            try:
                fields, rest = _header(line)
            except (ValueError, json.JSONDecodeError) as ex:
                malformed.append((n + 1, line, f"bad header ({ex})"))
                fields, rest = {}, ""
            if not rest:
                continue
            line = rest
        if line.replace(" ", "") in ("]}", "]", "],}"):
            closed = True
            continue
        if not (line.startswith("{") or line.endswith(",")):
            ignored += 1
            continue
        text = line[:-1].rstrip() if line.endswith(",") else line
        try:
            ev = json.loads(text)
        except json.JSONDecodeError as ex:
            try:                                # the last event and the footer
                if not text.endswith("]}"):
                    raise
                ev, closed = json.loads(text[:-2]), True
            except json.JSONDecodeError:
                malformed.append((n + 1, line, f"not JSON ({ex.msg} at column {ex.colno})"))
                continue
        if not isinstance(ev, dict) or not isinstance(ev.get("ph"), str):
            malformed.append((n + 1, line, "not a trace event (an object with a 'ph')"))
            continue
        events.append(ev)
    if fields is None:
        fields = {}
    fields.pop("traceEvents", None)
    doc = json.dumps(fields, separators=(",", ":"))[:-1]
    doc = (doc + ("," if fields else "") + '"traceEvents":[\n'
           + ",\n".join(json.dumps(ev, separators=(",", ":")) for ev in events) + "\n]}\n")
    out = Extracted(doc)
    out.events, out.malformed, out.ignored = len(events), malformed, ignored
    out.complete = complete and closed
    return out


def load(text_or_path):
    """The events (a list of dicts) of a trace: a JSON object with
    traceEvents, or a bare list of events (also the unterminated form the
    format allows), given as JSON text, a path, parsed JSON, or a serial log
    holding an export (see extract). Raises ValueError for an empty trace or
    something that is not one."""
    data = text_or_path
    if isinstance(data, (bytes, bytearray)):
        data = data.decode("utf-8", "replace")
    if isinstance(data, os.PathLike) or (
            isinstance(data, str) and data.strip()[:1] not in ("{", "[", "")
            and "\n" not in data.strip()):
        if not os.path.isfile(data):
            raise ValueError(f"not a trace: no file {os.fspath(data)!r}, and not JSON")
        with open(data, encoding="utf-8", errors="replace") as f:
            data = f.read()
    if isinstance(data, str):
        if not data.strip():
            raise ValueError("empty trace: there is no text to read")
        try:
            data = json.loads(data)
        except json.JSONDecodeError as ex:
            text = data
            if BEGIN in text:
                data = json.loads(extract(text))
            elif text.lstrip().startswith("["):        # the array form may be unterminated
                try:
                    data = json.loads(text.rstrip().rstrip(",") + "]")
                except json.JSONDecodeError:
                    raise ValueError(f"not a trace: bad JSON ({ex})") from None
            else:
                raise ValueError(f"not a trace: bad JSON ({ex}), and no {BEGIN!r} line") from None
    if isinstance(data, dict):
        if "traceEvents" not in data:
            raise ValueError("not a trace: the JSON object has no 'traceEvents'")
        data = data["traceEvents"]
    if not isinstance(data, list):
        raise ValueError("not a trace: 'traceEvents' is not a list")
    events = [dict(e) for e in data if isinstance(e, dict)]
    if not events:
        raise ValueError("empty trace: it holds no events")
    return events


# ----------------------------------------------------------------------------
# From events to spans, instants and flows.

def _num(v):
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        try:
            v = float(v) if isinstance(v, str) else None
        except ValueError:
            return None
    if v is None or math.isnan(v) or math.isinf(v):
        return None
    return float(v)


def _lane(e):
    """(pid, tid): ints, or strings for what is not an int."""
    def one(v):
        if isinstance(v, bool) or v is None:
            return 0
        if isinstance(v, int):
            return v
        if isinstance(v, float) and v.is_integer():
            return int(v)
        v = str(v)
        return int(v) if v.isdigit() else v
    return (one(e.get("pid", 0)), one(e.get("tid", 0)))


def _lane_order(k):
    return tuple((0, v, "") if isinstance(v, int) else (1, 0, v) for v in k)


class _Trace:
    """Events sorted by time (stably), B/E paired into spans (X events
    become spans too), instants, flow events, lane names, and the problems
    met (a Counter of messages)."""

    def __init__(self, events):
        self.problems = collections.Counter()
        self.names, self.order = {}, {}
        timed = []
        for i, e in enumerate(events):
            if not isinstance(e, dict):
                self.problems["entries that are not objects (ignored)"] += 1
                continue
            ph = e.get("ph")
            if ph == "M":
                args = e.get("args") if isinstance(e.get("args"), dict) else {}
                if e.get("name") == "thread_name" and "name" in args:
                    self.names[_lane(e)] = str(args["name"])
                elif e.get("name") == "thread_sort_index" and _num(args.get("sort_index")) is not None:
                    self.order[_lane(e)] = _num(args["sort_index"])
                continue
            ts = _num(e.get("ts"))
            if ts is None or not isinstance(ph, str):
                self.problems["events without a phase or a numeric ts (ignored)"] += 1
                continue
            timed.append((ts, e))
        timed.sort(key=lambda t: t[0])           # stable: equal times keep their order
        self.first = timed[0][0] if timed else None
        self.last = max((t + max(_num(e.get("dur")) or 0.0, 0.0) for t, e in timed), default=None)
        self.spans, self.instants, self.flows = [], [], []
        stacks = collections.defaultdict(list)
        for seq, (ts, e) in enumerate(timed):
            ph, lane = e["ph"], _lane(e)
            if ph == "B":
                s = self._span(e, ts, None, seq)
                stacks[lane].append(s)
            elif ph == "E":
                st = stacks[lane]
                if not st:
                    self.problems["E events without a B (ignored)"] += 1
                    continue
                k = len(st) - 1
                name = e.get("name")
                if name is not None and st[k]["name"] != str(name):
                    # Not the innermost span's name: an inner span missed
                    # its E, or this E belongs to nothing open.
                    k = next((j for j in range(len(st) - 1, -1, -1)
                              if st[j]["name"] == str(name)), None)
                    if k is None:
                        if "cat" in e and str(e["cat"]) != st[-1]["cat"]:
                            self.problems["E events matching no open span (ignored)"] += 1
                            continue
                        k = len(st) - 1
                for s in st[k + 1:]:
                    s["end"], s["open"] = ts, s["open"] + "r"
                    self.problems["B events without an E (closed when an outer span ended)"] += 1
                st[k]["end"] = ts
                if isinstance(e.get("args"), dict):
                    st[k]["args"] = dict(st[k]["args"], **e["args"])
                del st[k:]
            elif ph == "X":
                dur = _num(e.get("dur"))
                if dur is None or dur < 0:
                    self.problems["X events without a valid dur (drawn as points)"] += 1
                    dur = 0.0
                self._span(e, ts, ts + dur, seq)
            elif ph in ("i", "I"):
                self.instants.append(dict(e, ts=ts, _seq=seq))
            elif ph in ("s", "t", "f"):
                self.flows.append(dict(e, ts=ts, _seq=seq))
            else:
                self.problems[f"events of phase {ph!r} (not drawn)"] += 1
        for st in stacks.values():
            for s in st:
                s["end"], s["open"] = self.last, s["open"] + "r"
                self.problems["B events without an E (closed at the end of the trace)"] += 1

    def _span(self, e, start, end, seq):
        op = e.get("_open", "")
        s = {"lane": _lane(e), "start": start, "end": end, "seq": seq,
             "name": str(e.get("name", "")), "cat": str(e.get("cat", "")),
             "args": dict(e["args"]) if isinstance(e.get("args"), dict) else {},
             "open": op if isinstance(op, str) else ""}
        self.spans.append(s)
        return s

    def arrows(self):
        """The flows as (start event, end event) pairs: an 's' joined to the
        next 't' or 'f' of the same cat, name and id."""
        pending, pairs = {}, []
        for e in self.flows:
            ident = e.get("id", e.get("id2"))
            key = (e.get("cat"), e.get("name"), json.dumps(ident, sort_keys=True))
            if e["ph"] == "s":
                if key in pending:
                    self.problems["flow starts without an end"] += 1
                pending[key] = e
            elif key in pending:
                pairs.append((pending.pop(key), e))
                if e["ph"] == "t":
                    pending[key] = e
            else:
                self.problems["flow ends without a start"] += 1
        self.problems["flow starts without an end"] += len(pending)
        if not self.problems["flow starts without an end"]:
            del self.problems["flow starts without an end"]
        return pairs


def select(events, start_us=None, end_us=None, cpus=None, cats=None):
    """The events of the window [start_us, end_us] (µs, as in the trace;
    None: unbounded) on the CPUs (tids) in cpus, of the categories in cats
    (None: all). B/E pairs become X events, clipped to the window; a span
    cut by the window (or never ended: closed at the trace's end) carries
    "_open": "l", "r" or "lr" for the side it was cut on. Instant and flow
    events are kept if they fall inside the window; thread names always."""
    if isinstance(cpus, str):
        cpus = [int(c) for c in cpus.split(",") if c.strip()]
    if isinstance(cats, str):
        cats = [c.strip() for c in cats.split(",") if c.strip()]
    cpus = None if cpus is None else {int(c) for c in cpus}
    cats = None if cats is None else set(cats)
    lo = -math.inf if start_us is None else float(start_us)
    hi = math.inf if end_us is None else float(end_us)
    if lo > hi:
        raise ValueError(f"empty window: it starts at {lo} µs, after its end at {hi} µs")
    tr = _Trace(events)

    def keep(lane, cat):
        return (cpus is None or lane[1] in cpus) and (cats is None or cat in cats)
    out = []
    for s in tr.spans:
        if not keep(s["lane"], s["cat"]) or s["end"] < lo or s["start"] > hi:
            continue
        if (s["end"] == lo and s["start"] < lo) or (s["start"] == hi and s["end"] > hi):
            continue                            # it only touches the window
        a, b, op = max(s["start"], lo), min(s["end"], hi), s["open"]
        if a > s["start"] and "l" not in op:
            op = "l" + op
        if b < s["end"] and "r" not in op:
            op += "r"
        ev = {"name": s["name"], "cat": s["cat"], "ph": "X", "ts": a, "dur": b - a,
              "pid": s["lane"][0], "tid": s["lane"][1]}
        if s["args"]:
            ev["args"] = s["args"]
        if op:
            ev["_open"] = op
        out.append((a, s["seq"], ev))
    for e in tr.instants + tr.flows:
        if keep(_lane(e), str(e.get("cat", ""))) and lo <= e["ts"] <= hi:
            ev = {k: v for k, v in e.items() if k != "_seq"}
            out.append((e["ts"], e["_seq"], ev))
    out.sort(key=lambda t: (t[0], t[1]))
    meta = [dict(e) for e in events if isinstance(e, dict) and e.get("ph") == "M"
            and (cpus is None or _lane(e)[1] in cpus)]
    return meta + [ev for _, _, ev in out]


# ----------------------------------------------------------------------------
# Drawing.

def _style(cat):
    return CATEGORIES.get(cat, OTHER)


def _nice_step(span, n):
    raw = span / max(n, 1)
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if m * mag >= raw * 0.999:
            return m * mag
    return 10 * mag


def _fmt(v, step):
    d = max(0, -int(math.floor(math.log10(step) + 1e-9)))
    s = f"{v:.{d}f}"
    return "0" if float(s) == 0 else s


def _span_labels(s):
    """The labels to try in a span's box, best first (plain text): its name,
    the name without its first word ("irq 239": "239"). (When neither fits,
    the box gets a letter that the key under the legend explains.)"""
    name = " ".join(s["name"].split())
    out = [name] if name else []
    words = name.split(" ")
    if len(words) > 1:
        out.append(" ".join(words[1:]))
    return out


def _instant_label(e):
    """A short label for an instant event: "prev→next" for a context switch,
    "name→to" for an IPI sent."""
    args = e.get("args") if isinstance(e.get("args"), dict) else {}
    name = str(e.get("name", ""))
    if "prev" in args and "next" in args:
        return _shorten(args["prev"], 10) + ARROW + _shorten(args["next"], 10)
    if "to" in args:
        to = args["to"]
        return _shorten(name, 14) + ARROW + (f"CPU{to}" if isinstance(to, int) else _shorten(to, 8))
    return _shorten(name, 20)


def _place(items, width, left=0.0, blocked=None):
    """Rows for the labels of a lane's instant events: items are (x, w) in
    order of x; the result, per item, (row, anchor x, anchor) or None when
    it does not fit. A label is centred over its marker, or starts or ends
    there, in the lowest row it fits in; in a higher row only if its leader
    line crosses no lower label. Of the placings of a label, those that
    leave room for the next label's are preferred, then those that do not
    cover a later marker (whose leader they would block). blocked: per row,
    x intervals to keep off (where flow arrows cross)."""
    gap = 0.10

    def cands(rows, i):
        x, w = items[i]
        later = [u for u, _ in items[i + 1:] if abs(u - x) > 1e-6]
        out = []
        for r in range(MAX_ROWS):
            if any(c - 0.03 <= x <= d + 0.03 for q in range(r) for c, d in rows[q]):
                continue                        # its leader would cross a label
            for k, (a, ax, anchor) in enumerate(((x - w / 2, x, "south"),
                                                 (x - 0.06, x - 0.06, "south west"),
                                                 (x + 0.06 - w, x + 0.06, "south east"),
                                                 (x + 0.05, x + 0.05, "south west"),
                                                 (x - 0.05 - w, x - 0.05, "south east"))):
                b = a + w
                if a >= -left and b <= width + 0.02 and all(b + gap <= c or a >= d + gap
                                                            for c, d in rows[r]):
                    covers = any(a - 0.08 <= u <= b + 0.08 for u in later)
                    out.append((covers, r, k, a, b, ax, anchor))
        return out

    def put(rows, i, c):
        rows = [list(row) for row in rows]
        x = items[i][0]
        rows[c[1]].append((c[3], c[4]))
        for q in range(c[1]):
            rows[q].append((x - 0.03, x + 0.03))
        return rows
    rows = [list(blocked[r]) if blocked else [] for r in range(MAX_ROWS)]
    placed = []
    for i in range(len(items)):
        options = cands(rows, i)
        if not options:
            placed.append(None)
            continue
        if i + 1 < len(items):
            best = min(options, key=lambda c: (not cands(put(rows, i, c), i + 1),) + c[:3])
        else:
            best = min(options, key=lambda c: c[:3])
        rows = put(rows, i, best)
        placed.append((best[1], best[5], best[6]))
    return placed


def _hatch(x0, y0, x1, y1, way="ne", step=0.11):
    """Hatching lines, rising to the right (ne) or to the left (nw), over
    the box, as one path (to draw clipped to the box)."""
    h = y1 - y0
    segs = []
    x = x0 - h
    while x < x1:
        if way == "nw":
            segs.append(f"({x:.3f},{y1:.3f}) -- ({x + h:.3f},{y0:.3f})")
        else:
            segs.append(f"({x:.3f},{y0:.3f}) -- ({x + h:.3f},{y1:.3f})")
        x += step
    return " ".join(segs)


def tikz(events, title=None, width_cm=12.0, caption_note=None):
    """The TikZ picture (a string) of the events (from load or select): one
    lane per CPU, time to the right from the first event shown, about
    width_cm wide. title goes above it, caption_note (TeX, not escaped)
    in small type below the legend. Raises ValueError when there is nothing
    to draw."""
    tr = _Trace(events)
    arrows = tr.arrows()
    if not tr.spans and not tr.instants and not arrows:
        raise ValueError("nothing to draw: the trace (or the window selected) holds no "
                         "spans, instant events or flows" +
                         (f" (problems: {', '.join(f'{n} {p}' for p, n in tr.problems.items())})"
                          if tr.problems else ""))
    t0 = min([s["start"] for s in tr.spans] + [e["ts"] for e in tr.instants]
             + [e["ts"] for a in arrows for e in a])
    t1 = max([s["end"] for s in tr.spans] + [e["ts"] for e in tr.instants]
             + [e["ts"] for a in arrows for e in a])
    if t1 - t0 < 1e-6:
        t1 = t0 + 1.0

    lanes = {s["lane"] for s in tr.spans} | {_lane(e) for e in tr.instants} \
        | {_lane(e) for a in arrows for e in a} | set(tr.names)
    lanes = sorted(lanes, key=lambda k: (tr.order.get(k, 0), _lane_order(k)))
    pids = {k[0] for k in lanes}

    def lane_name(k):
        if k in tr.names:
            return _shorten(tr.names[k], 16)
        return f"CPU {k[1]}" if len(pids) == 1 else f"{k[0]}/{k[1]}"
    left = max(_width(lane_name(k), 1.07) for k in lanes) + 0.25
    W = width_cm - left
    if W < 2:
        raise ValueError(f"width_cm={width_cm} leaves no room for the time line")
    # The time axis's ticks: 1, 2 or 5 times a power of ten, about 1.6 cm
    # apart; the last one's label may stick out to the right.
    step = _nice_step(t1 - t0, max(3, int(W / 1.6)))
    ticks = int((t1 - t0) / step * (1 + 1e-9)) + 1
    last = (ticks - 1) * step
    W -= max(0.0, _width(_fmt(last, step)) / 2 + 0.06 - (t1 - t0 - last) / (t1 - t0) * W)
    scale = W / (t1 - t0)

    def X(t):
        return (t - t0) * scale

    # Depths: a span's depth is how many spans on its lane enclose it.
    by_lane = collections.defaultdict(list)
    for s in tr.spans:
        by_lane[s["lane"]].append(s)
    depth = {}
    for k, spans in by_lane.items():
        spans.sort(key=lambda s: (s["start"], -s["end"], s["seq"]))
        stack = []
        for s in spans:
            while stack and stack[-1]["end"] <= s["start"] and stack[-1]["end"] < s["end"]:
                stack.pop()
            s["depth"] = len(stack)
            stack.append(s)
        depth[k] = max(s["depth"] for s in spans) + 1

    # Instant labels, lane by lane, and the lanes' geometry, top down: label
    # rows, markers, bands. The labels keep off the flow arrows, whose
    # course depends on the lanes' heights, which depend on the labels: a
    # few rounds settle it.
    inst = collections.defaultdict(list)
    for e in tr.instants:
        inst[_lane(e)].append(e)
    index = {k: i for i, k in enumerate(lanes)}
    texts = {k: [_instant_label(e) for e in evs] for k, evs in inst.items()}

    def layout(rows):
        geo, y = {}, 0.0
        for k in lanes:
            strip = TRIANGLE + 0.05 + rows.get(k, 0) * ROW if k in inst else 0.10
            bands_top = y - strip
            base = bands_top - depth.get(k, 1) * BAND
            geo[k] = (y, bands_top, base)
            y = base - LANE_GAP
        return geo

    def course(a, b, geo):
        """A flow arrow's points: a line, or a curve's control points."""
        ka, kb = _lane(a), _lane(b)
        xa, xb = X(a["ts"]), X(b["ts"])
        if ka == kb:
            y = geo[ka][1]
            return [(xa, y), (xa, y + 0.5), (xb, y + 0.5), (xb, y)]
        if index[ka] < index[kb]:                   # down: sender's bottom, receiver's bands
            return [(xa, geo[ka][2]), (xb, geo[kb][1])]
        ya = geo[ka][1]                             # up: from the send marker if there is one
        if any(abs(X(e["ts"]) - xa) < 0.05 for e in inst.get(ka, [])):
            ya += 0.02 + TRIANGLE
        return [(xa, ya), (xb, geo[kb][2])]

    def polyline(pts):
        if len(pts) == 2:
            return pts
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = pts
        out = []
        for i in range(25):
            t = i / 24
            u = 1 - t
            out.append((u ** 3 * x0 + 3 * u * u * t * x1 + 3 * u * t * t * x2 + t ** 3 * x3,
                        u ** 3 * y0 + 3 * u * u * t * y1 + 3 * u * t * t * y2 + t ** 3 * y3))
        return out

    def blocked_by_flows(geo):
        """Per lane and label row, the x intervals the flow arrows cross."""
        out = {k: [[] for _ in range(MAX_ROWS)] for k in inst}
        lines = [polyline(course(a, b, geo)) for a, b in arrows]
        for k in inst:
            for r in range(MAX_ROWS):
                lo = geo[k][1] + 0.03 + TRIANGLE + r * ROW
                hi = lo + ROW
                for pts in lines:
                    xs = []
                    for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
                        if max(y0, y1) < lo or min(y0, y1) > hi:
                            continue
                        if abs(y1 - y0) < 1e-9:
                            xs += [x0, x1]
                            continue
                        for yy in (max(min(y0, y1), lo), min(max(y0, y1), hi)):
                            xs.append(x0 + (x1 - x0) * (yy - y0) / (y1 - y0))
                    if xs:                      # a label may come within 0.03
                        out[k][r].append((min(xs) + 0.07, max(xs) - 0.07))
        return out
    blocked, rows = {}, {}
    for _ in range(8):
        labels, rows, dropped = {}, {}, 0
        for k, evs in inst.items():
            places = _place([(X(e["ts"]), _width(t) + 0.04) for e, t in zip(evs, texts[k])], W,
                            left - 0.05, blocked.get(k))
            labels[k] = list(zip(evs, texts[k], places))
            used = [p[0] for p in places if p]
            rows[k] = max(used) + 1 if used else 0
            dropped += sum(1 for p in places if p is None)
        geo = layout(rows)
        # Keep off where the arrows ran in every round so far: the rounds
        # then settle (a label placed clear of the final course stays clear).
        new = False
        for k, per_row in (blocked_by_flows(geo) if arrows else {}).items():
            mine = blocked.setdefault(k, [[] for _ in range(MAX_ROWS)])
            for r, ivs in enumerate(per_row):
                for c, d in ivs:
                    if not any(c2 <= c + 0.01 and d2 >= d - 0.01 for c2, d2 in mine[r]):
                        mine[r].append((c, d))
                        new = True
        if not new:
            break
    bottom = geo[lanes[-1]][2]

    out = [f"% Generated by ci/lib/tracefig.py from a kernel trace; do not edit.",
           f"% Time 0 is {t0:.3f} us in the trace; the picture ends at {t1:.3f} us.",
           f"% {len(tr.spans)} spans, {len(tr.instants)} instant events, "
           f"{len(arrows)} flows on {len(lanes)} lanes."]
    for p, n in sorted(tr.problems.items()):
        out.append(f"% Input problem: {n} {p}.")
    if dropped:
        out.append(f"% {dropped} instant-event labels left out for want of room.")
    cats = [c for c in CATEGORIES if any(s["cat"] == c for s in tr.spans)]
    others = sorted({s["cat"] for s in tr.spans if s["cat"] not in CATEGORIES})
    styles = [f"  c-{c}/.style={{fill={_style(c)[1]}}}," for c in cats]
    if others:
        styles.append(f"  c-other/.style={{fill={OTHER[1]}}},")
    out += ["\\begin{tikzpicture}[font=\\footnotesize,",
            "  box/.style={draw=black!80, line width=0.35pt},",
            "  hatch/.style={draw=black!45, line width=0.3pt},",
            "  lbl/.style={font=\\scriptsize, inner sep=0.6pt},",
            "  ev/.style={fill=black, draw=none},",
            "  flow/.style={-{Stealth[length=1.7mm,width=1.3mm]}, line width=0.6pt,"
            " preaction={draw=white, line width=1.8pt, -}},"] + styles
    out[-1] = out[-1].rstrip(",") + "]"

    def cname(cat):
        return f"c-{cat}" if cat in CATEGORIES else "c-other"

    # Time axis and grid.
    ya = bottom - 0.12
    out.append("% The time axis and its grid.")
    n = ticks
    for i in range(n):
        x = i * step * scale
        out.append(f"\\draw[black!15, line width=0.3pt] ({x:.3f},{ya:.3f}) -- ({x:.3f},0);")
    out.append(f"\\draw[black!70] (0,{ya:.3f}) -- ({W:.3f},{ya:.3f});")
    for i in range(n):
        x = i * step * scale
        out.append(f"\\draw[black!70] ({x:.3f},{ya:.3f}) -- ({x:.3f},{ya - 0.08:.3f}) "
                   f"node[below, font=\\scriptsize, inner sep=1.5pt] {{{_fmt(i * step, step)}}};")
    ylabel = ya - 0.50
    out.append(f"\\node[font=\\scriptsize, anchor=north] at ({W / 2:.3f},{ylabel + 0.07:.3f}) "
               f"{{time (\\textmu s)}};")

    # What each box says: its name if that fits, else a letter that the key
    # explains, lettered in reading order.
    keys = {}

    def extent(s):
        x0, x1 = X(s["start"]), X(s["end"])
        if x1 - x0 < 0.025:
            x0, x1 = (x0 + x1) / 2 - 0.0125, (x0 + x1) / 2 + 0.0125
        return x0, x1
    for s in sorted(tr.spans, key=lambda s: (index[s["lane"]], s["start"], s["depth"])):
        x0, x1 = extent(s)
        s["label"] = next((escape(t) for t in _span_labels(s) if _width(t) + 0.12 <= x1 - x0), None)
        name = " ".join(s["name"].split())
        if s["label"] is None and name:
            key = keys.get(name)
            if key is None and len(keys) < len(KEY_LETTERS):
                key = KEY_LETTERS[len(keys)]
            if key and _width(key) + 0.10 <= x1 - x0:
                keys[name] = key
                s["label"] = f"\\textit{{{key}}}"

    # Lanes.
    for k in lanes:
        top, bands_top, base = geo[k]
        out.append(f"% Lane {lane_name(k)}.")
        out.append(f"\\draw[black!50, line width=0.4pt] (0,{base:.3f}) -- ({W:.3f},{base:.3f});")
        out.append(f"\\node[anchor=east, font=\\footnotesize] at (-0.15,{(base + bands_top) / 2:.3f}) "
                   f"{{{escape(lane_name(k))}}};")
        for s in sorted(by_lane.get(k, []), key=lambda s: (s["depth"], s["start"])):
            x0, x1 = extent(s)
            y0 = base + s["depth"] * BAND
            y1 = y0 + BAND
            c = cname(s["cat"])
            r = f"({x0:.3f},{y0:.3f}) rectangle ({x1:.3f},{y1:.3f})"
            op = s["open"] if isinstance(s["open"], str) else ""
            if op:
                out.append(f"\\fill[{c}] {r};")
            else:
                out.append(f"\\filldraw[{c}, box] {r};")
            if _style(s["cat"])[2] and x1 - x0 > 0.05:
                out.append(f"\\begin{{scope}}\\clip {r};")
                out.append(f"\\draw[hatch] {_hatch(x0, y0, x1, y1, _style(s['cat'])[2])};"
                           "\\end{scope}")
            if op:                              # no edge where the window cut it
                path = f"({x0:.3f},{y0:.3f}) -- ({x1:.3f},{y0:.3f})"
                path += (f" -- ({x1:.3f},{y1:.3f})" if "r" not in op else f" ({x1:.3f},{y1:.3f})")
                path += f" -- ({x0:.3f},{y1:.3f})"
                if "l" not in op:
                    path += f" -- ({x0:.3f},{y0:.3f})"
                out.append(f"\\draw[box] {path};")
            if s["label"]:
                fill = f", {c}" if _style(s["cat"])[2] else ""
                out.append(f"\\node[lbl{fill}] at ({(x0 + x1) / 2:.3f},{(y0 + y1) / 2:.3f}) "
                           f"{{\\strut {s['label']}}};")
        for e, text, place in labels.get(k, []):
            x = X(e["ts"])
            yt = bands_top + 0.02
            out.append(f"\\fill[ev] ({x:.3f},{yt:.3f}) -- ({x - 0.075:.3f},{yt + TRIANGLE:.3f}) "
                       f"-- ({x + 0.075:.3f},{yt + TRIANGLE:.3f}) -- cycle;")
            if e.get("s") in ("g", "p"):
                out.append(f"\\draw[black!60, densely dashed, line width=0.4pt] ({x:.3f},0) -- "
                           f"({x:.3f},{bottom:.3f});")
            if place:
                row, ax, anchor = place
                yl = yt + TRIANGLE + 0.01 + row * ROW
                if row:
                    out.append(f"\\draw[black!40, line width=0.3pt] ({x:.3f},{yt + TRIANGLE:.3f}) -- "
                               f"({x:.3f},{yl + 0.03:.3f});")
                out.append(f"\\node[lbl, anchor={anchor}] at ({ax:.3f},{yl:.3f}) "
                           f"{{{escape(text)}}};")

    # Flows, over everything else.
    if arrows:
        out.append("% Flows: from the sender to the receiver.")
    for a, b in arrows:
        pts = [f"({x:.3f},{y:.3f})" for x, y in course(a, b, geo)]
        if len(pts) == 4:
            out.append(f"\\draw[flow] {pts[0]} .. controls {pts[1]} and {pts[2]} .. {pts[3]};")
        else:
            out.append(f"\\draw[flow] {pts[0]} -- {pts[1]};")

    # Legend: what the colours, the triangles and the arrows mean.
    items = []
    for c in cats:
        items.append((_style(c)[0], "box", c))
    if others:
        items.append((", ".join(_shorten(o, 12) for o in others[:3])
                      + (", \u2026" if len(others) > 3 else ""), "box", "other"))
    if tr.instants:
        items.append(("event", "ev", None))
    if arrows:
        fcats = {str(a.get("cat", "")) for a, _ in arrows}
        items.append(("IPI: sender to handler" if fcats == {"ipi"} else "flow", "flow", None))
    out.append("% The legend.")
    x, yl, sw = -left, ylabel - 0.42, 0.42
    for text, kind, c in items:
        w = sw + 0.12 + _width(text) + 0.35
        if x + w - 0.35 > W and x > -left:
            x, yl = -left, yl - 0.36
        ym = yl - 0.12
        if kind == "box":
            r = f"({x:.3f},{ym - 0.12:.3f}) rectangle ({x + sw:.3f},{ym + 0.12:.3f})"
            out.append(f"\\filldraw[{cname(c) if c != 'other' else 'c-other'}, box] {r};")
            if _style(c)[2]:
                out.append(f"\\begin{{scope}}\\clip {r};\\draw[hatch] "
                           f"{_hatch(x, ym - 0.12, x + sw, ym + 0.12, _style(c)[2])};\\end{{scope}}")
        elif kind == "ev":
            xm = x + sw / 2
            out.append(f"\\fill[ev] ({xm:.3f},{ym - 0.09:.3f}) -- ({xm - 0.075:.3f},{ym + 0.08:.3f}) "
                       f"-- ({xm + 0.075:.3f},{ym + 0.08:.3f}) -- cycle;")
        else:
            out.append(f"\\draw[flow] ({x:.3f},{ym:.3f}) -- ({x + sw:.3f},{ym:.3f});")
        out.append(f"\\node[lbl, anchor=west] at ({x + sw + 0.08:.3f},{ym:.3f}) "
                   f"{{\\strut {escape(text)}}};")
        x += w
    # The key: the names of the spans too narrow for them.
    key_items = [(k, n) for n, k in keys.items()]
    if key_items:
        x, yl = -left, yl - 0.36
    for k, n in key_items:
        text = f"{k}: {n}"
        w = _width(text) + 0.35
        if x + w - 0.35 > W and x > -left:
            x, yl = -left, yl - 0.30
        out.append(f"\\node[lbl, anchor=west] at ({x:.3f},{yl - 0.12:.3f}) "
                   f"{{\\strut\\textit{{{k}}}: {escape(n)}}};")
        x += w
    ybot = yl - 0.30
    if caption_note:
        out.append(f"\\node[anchor=north west, font=\\scriptsize, align=left, inner sep=0pt, "
                   f"text width={width_cm:.2f}cm] at ({-left:.3f},{ybot - 0.05:.3f}) "
                   f"{{{caption_note}}};")
    if title:
        out.append(f"\\node[anchor=south, font=\\small] at ({(W - left) / 2:.3f},0.12) "
                   f"{{{escape(title)}}};")
    out.append("\\end{tikzpicture}")
    return "\n".join(out) + "\n"


# ----------------------------------------------------------------------------
# The command line.

def main(argv=None):
    ap = argparse.ArgumentParser(
        prog="tracefig.py", description="Draw a kernel trace (Chrome trace-event JSON, or a "
        "serial log holding an export) as a TikZ picture.")
    ap.add_argument("input", help="a serial log, or the trace's JSON")
    ap.add_argument("output", help="the .tex file to write (rewritten only if it changes)")
    ap.add_argument("--from", dest="start", type=float, help="window start, us (trace time)")
    ap.add_argument("--to", dest="end", type=float, help="window end, us (trace time)")
    ap.add_argument("--cpus", help="the CPUs to draw, as 0,1")
    ap.add_argument("--cats", help="the categories to draw, as irq,softirq")
    ap.add_argument("--title", help="a title above the picture")
    ap.add_argument("--note", help="a note (TeX) under the legend")
    ap.add_argument("--width", type=float, default=12.0, help="width in cm (12)")
    ap.add_argument("--json", help="also save the trace (extracted, whole) here, for Perfetto")
    ap.add_argument("--which", type=int, default=-1,
                    help="which export of the log (0: the first; -1, the default: the last)")
    a = ap.parse_args(argv)
    try:
        with open(a.input, encoding="utf-8", errors="replace") as f:
            text = f.read()
        try:
            json.loads(text)
            trace = text
        except json.JSONDecodeError:
            if BEGIN not in text:
                raise ValueError(f"{a.input}: neither a trace's JSON nor a log with {BEGIN!r}")
            trace = extract(text, which=a.which)
            print(f"{a.input}: {trace.summary()}", file=sys.stderr)
        events = load(trace)
        if a.json:
            with open(a.json, "w") as f:
                f.write(trace if trace.endswith("\n") else trace + "\n")
        cpus = [int(c) for c in a.cpus.split(",") if c.strip()] if a.cpus else None
        if a.start is not None or a.end is not None or cpus is not None or a.cats:
            events = select(events, a.start, a.end, cpus, a.cats)
        tex = tikz(events, title=a.title, width_cm=a.width, caption_note=a.note)
    except (OSError, ValueError) as ex:
        print(f"tracefig: {ex}", file=sys.stderr)
        return 1
    old = None
    if os.path.exists(a.output):
        with open(a.output) as f:
            old = f.read()
    if old != tex:
        tmp = a.output + ".new"
        with open(tmp, "w") as f:
            f.write(tex)
        os.replace(tmp, a.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
