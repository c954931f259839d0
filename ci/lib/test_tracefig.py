"""Tests of ci/lib/tracefig.py: synthetic traces drawn and compiled.

Run from the top of the tree:

    python3 ci/lib/test_tracefig.py [--png DIR] [--keep DIR]

Each trace is drawn, and the picture compiled with pdflatex in a temporary
directory, with the preamble ci/lib/figures.py compiles the book's figures
with; a LaTeX error fails the test. --png DIR also renders each PDF as DIR/NAME.png
(pdftoppm -r 150) to look at; --keep DIR keeps the .tex and .pdf files.
"""
import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import tracefig  # noqa: E402

PNG_DIR = None
KEEP_DIR = None
T = 1_000_000.0          # the traces start a second after boot, in us


@functools.lru_cache(None)
def preamble():
    """figures.py's preamble (it reads chapters/book.tex), or the same by hand
    when that is not at hand."""
    try:
        import figures
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)    # its open().read()
            return figures._preamble()
    except (ImportError, OSError, AttributeError):
        return ("\\documentclass[tikz,border=0pt]{standalone}\n\\usepackage[T1]{fontenc}\n"
                "\\usepackage{lmodern}\n\\usepackage{amsmath}\n\\usepackage{textcomp}\n"
                "\\usetikzlibrary{arrows.meta,positioning,shapes.geometric,fit,calc,"
                "decorations.pathreplacing}\n")


def compile_tex(name, tex, expect_width=12.0):
    """Compile the picture; returns the LaTeX log. Fails the calling test
    on a LaTeX error."""
    with tempfile.TemporaryDirectory(prefix="tracefig-") as d:
        src = os.path.join(d, name + ".tex")
        with open(src, "w") as f:
            f.write(tex)
        doc = os.path.join(d, name + "-doc.tex")
        with open(doc, "w") as f:
            f.write(preamble() + "\\begin{document}\n\\input{" + src + "}\n\\end{document}\n")
        r = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error",
                            "-file-line-error", "-output-directory", d, doc],
                           capture_output=True, text=True, errors="replace")
        if r.returncode != 0:
            errors = [l for l in r.stdout.splitlines() if re.match(r"^(\S+:\d+:|!)", l)]
            raise AssertionError(f"{name}: LaTeX failed: " + "; ".join(errors[:3]))
        pdf = os.path.join(d, name + "-doc.pdf")
        if shutil.which("pdfinfo"):
            info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True).stdout
            width_cm = float(re.search(r"Page size:\s+([\d.]+)", info).group(1)) / 72 * 2.54
            assert abs(width_cm - expect_width) < 0.4, f"{name}: {width_cm:.2f} cm wide"
        if KEEP_DIR:
            os.makedirs(KEEP_DIR, exist_ok=True)
            shutil.copy(src, KEEP_DIR)
            shutil.copy(pdf, os.path.join(KEEP_DIR, name + ".pdf"))
        if PNG_DIR and shutil.which("pdftoppm"):
            os.makedirs(PNG_DIR, exist_ok=True)
            subprocess.run(["pdftoppm", "-png", "-r", "150", "-singlefile", pdf,
                            os.path.join(PNG_DIR, name)], check=True)
        with open(os.path.join(d, name + "-doc.log"), errors="replace") as f:
            log = f.read()
        m = re.search(r"Output written on .*?\((\d+) page", log)
        assert m and m.group(1) == "1", f"{name}: no page written"
        return log


def B(name, cat, ts, cpu, **args):
    e = {"name": name, "cat": cat, "ph": "B", "ts": T + ts, "pid": 0, "tid": cpu}
    if args:
        e["args"] = args
    return e


def E(name, cat, ts, cpu):
    return {"name": name, "cat": cat, "ph": "E", "ts": T + ts, "pid": 0, "tid": cpu}


def I(name, cat, ts, cpu, **args):
    e = {"name": name, "cat": cat, "ph": "i", "s": "t", "ts": T + ts, "pid": 0, "tid": cpu}
    if args:
        e["args"] = args
    return e


def flow(ident, ts_send, cpu_from, ts_recv, cpu_to, name="ipi"):
    return [{"name": name, "cat": "ipi", "ph": "s", "id": ident, "ts": T + ts_send,
             "pid": 0, "tid": cpu_from},
            {"name": name, "cat": "ipi", "ph": "f", "bp": "e", "id": ident, "ts": T + ts_recv,
             "pid": 0, "tid": cpu_to}]


def cpu_names(*cpus):
    return [{"name": "thread_name", "ph": "M", "pid": 0, "tid": c, "args": {"name": f"CPU {c}"}}
            for c in cpus]


def span(name, cat, a, b, cpu, **args):
    return [B(name, cat, a, cpu, **args), E(name, cat, b, cpu)]


def doc(events):
    return {"displayTimeUnit": "ns", "traceEvents": events}


# ----------------------------------------------------------------------------
# The traces.

def irq_nesting():
    """A serial IRQ (vector 0x24) during a write(); on its way out it runs
    the pending softirqs, among them the tasklet softirq, which runs a
    tasklet."""
    ev = cpu_names(0)
    ev += span("init", "task", 0.0, 24.0, 0)
    ev += span("write", "syscall", 1.2, 22.5, 0, nr=1)
    ev += span("irq 36", "irq", 4.0, 16.8, 0, vector=36)
    ev += span("serial_interrupt", "irq", 4.6, 8.1, 0)
    ev.append(I("raise TASKLET", "softirq", 7.4, 0))
    ev += span("softirq TASKLET", "softirq", 8.9, 16.1, 0, nr=6)
    ev += span("tasklet serial_rx", "tasklet", 9.6, 15.2, 0)
    return doc(ev)


def ipi_round_trip():
    """CPU 0 asks CPU 1 to run a function (CALL_FUNCTION_SINGLE, 0xfb); CPU 1
    runs it and its reply (a test IPI, 0xf2) comes back to CPU 0, which
    waits in a system call."""
    ev = cpu_names(0, 1)
    ev += span("init", "task", 0.0, 14.0, 0)
    ev += span("smp_call_function", "syscall", 0.5, 13.5, 0)
    ev.append(I("ipi send", "ipi", 1.5, 0, to=1, vector=251))
    ev += flow(7, 1.5, 0, 3.1, 1)
    ev += span("idle", "task", 0.0, 14.0, 1)
    ev += span("irq 251", "ipi", 3.1, 8.4, 1, vector=251)
    ev += span("csd_func", "irq", 3.9, 6.6, 1)
    ev.append(I("ipi send", "ipi", 6.9, 1, to=0, vector=242))
    ev += flow(8, 6.9, 1, 8.9, 0)
    ev += span("irq 242", "ipi", 8.9, 11.2, 0, vector=242)
    ev.append(I("done", "ipi", 12.4, 0))
    return doc(ev)


def timer_firing():
    """The local APIC timer (vector 0xef) interrupts the idle task: the
    tick's hrtimer runs in the IRQ, then the TIMER softirq on its way out
    runs the expired timer-wheel callbacks; one wakes a task, and the CPU
    switches to it."""
    ev = cpu_names(0)
    ev += span("idle", "task", 0.0, 21.0, 0)
    ev += span("irq 239", "irq", 2.0, 17.5, 0, vector=239)
    ev.append(I("hrtimer expired", "hrtimer", 2.6, 0))
    ev += span("tick_sched_timer", "hrtimer", 3.0, 7.0, 0)
    ev += span("softirq TIMER", "softirq", 8.0, 17.0, 0, nr=1)
    ev.append(I("timer expired", "timer", 8.5, 0))
    ev += span("process_timeout", "timer", 9.0, 12.2, 0)
    ev.append(I("wake worker", "sched", 11.0, 0))
    ev += span("delayed_work_timer_fn", "timer", 12.6, 16.4, 0)
    ev.append(I("sched", "sched", 21.0, 0, prev="idle", next="worker"))
    ev += span("worker", "task", 21.0, 30.0, 0)
    return doc(ev)


def wakeup_switch():
    """A task on CPU 1 wakes a task that sleeps on CPU 0: a RESCHEDULE IPI
    (0xfd), a context switch there, and the worker's first system call; on
    CPU 1 a work item runs after the writer blocks."""
    ev = cpu_names(0, 1)
    ev += span("idle", "task", 0.0, 9.0, 0)
    ev += span("irq 253", "ipi", 4.2, 6.0, 0, vector=253)
    ev.append(I("need_resched", "sched", 5.0, 0))
    ev += span("schedule", "sched", 7.0, 8.8, 0)
    ev.append(I("sched", "sched", 9.0, 0, prev="idle", next="worker"))
    ev += span("worker", "task", 9.0, 24.0, 0)
    ev += span("read", "syscall", 12.0, 20.0, 0)
    ev += span("page fault", "exception", 13.0, 16.5, 0, vector=14)
    ev += span("writer", "task", 0.0, 10.5, 1)
    ev += span("write", "syscall", 1.0, 9.5, 1)
    ev.append(I("wake_up worker", "sched", 2.5, 1))
    ev.append(I("ipi send", "ipi", 3.0, 1, to=0, vector=253))
    ev += flow(3, 3.0, 1, 4.2, 0)
    ev.append(I("sched", "sched", 10.5, 1, prev="writer", next="kworker/1:0"))
    ev += span("kworker/1:0", "task", 10.5, 24.0, 1)
    ev += span("vmstat_update", "work", 11.0, 17.0, 1)
    return doc(ev)


def edge_cases():
    """Out of order, unmatched B and E, X events, TeX specials, an unknown
    category, a global instant, crowded instants."""
    ev = cpu_names(0, 2)
    ev += [E("lost", "irq", 0.5, 0)]                                 # E without B
    ev += span("t_1 #1 50% & $x {y} ~z ^w \\v", "task", 0.0, 40.0, 0)
    ev.append(B("irq 33", "irq", 30.0, 0))                          # ended by its task's E
    ev.append(B("irq 34", "irq", 38.5, 2))                          # never ended
    ev.append({"name": "x_event", "cat": "syscall", "ph": "X", "ts": T + 2.0,
               "dur": 10.0, "pid": 0, "tid": 0})
    ev.append({"name": "odd", "cat": "mystery", "ph": "X", "ts": T + 4.0,
               "dur": 5.0, "pid": 0, "tid": 0})
    ev.append({"name": "sync", "cat": "sched", "ph": "i", "s": "g", "ts": T + 20.0,
               "pid": 0, "tid": 0})
    for k in range(8):                                              # crowded
        ev.append(I(f"tick_{k}", "timer", 12.0 + 0.3 * k, 2))
    ev += span("busy--loop", "task", 0.0, 38.0, 2)
    ev += span("tiny", "irq", 25.0, 25.001, 2)
    ev.append({"name": "bad", "ph": "B", "ts": "soon", "tid": 2})   # no number
    ev.append({"name": "counter", "ph": "C", "ts": T + 3, "tid": 2, "args": {"v": 1}})
    ev.reverse()                                                    # out of order
    return doc(ev)


def busy_smp():
    """Four CPUs for 200 us: ticks with their softirqs, system calls, page
    faults, IPIs among the CPUs, context switches (made up, but as dense as
    a real trace's window)."""
    import random
    rnd = random.Random(7)
    ev = cpu_names(0, 1, 2, 3)
    flow_id = 100
    for cpu in range(4):
        ev += span(["init", "worker", "kworker/2:1", "idle"][cpu], "task", 0.0, 200.0, cpu)
        t = rnd.uniform(2, 10)
        while t < 185:
            kind = rnd.choice(["syscall", "tick", "ipi"])
            if kind == "syscall":
                d = rnd.uniform(8, 25)
                ev.append(B(rnd.choice(["read", "write", "nanosleep"]), "syscall", t, cpu))
                if rnd.random() < 0.5:
                    ev += span("page fault", "exception", t + 2, t + 5, cpu, vector=14)
                ev.append(E("", "syscall", t + d, cpu))
                del ev[-1]["name"]                      # E without a name
                t += d
            elif kind == "tick":
                ev += span("irq 239", "irq", t, t + 6, cpu, vector=239)
                ev += span("tick_sched_timer", "hrtimer", t + 0.5, t + 1.8, cpu)
                ev += span("softirq TIMER", "softirq", t + 2.5, t + 5.5, cpu)
                ev += span("process_timeout", "timer", t + 3, t + 4.5, cpu)
                t += 6
            else:
                to = (cpu + rnd.randint(1, 3)) % 4
                ev.append(I("ipi send", "ipi", t, cpu, to=to, vector=253))
                ev += flow(flow_id, t, cpu, t + 1.5, to)
                ev += span("irq 253", "ipi", t + 1.5, t + 3.0, to, vector=253)
                flow_id += 1
                t += 1
            t += rnd.uniform(3, 15)
    ev.append(I("sched", "sched", 120.0, 1, prev="worker", next="idle"))
    ev.sort(key=lambda e: e.get("ts", 0))
    return doc(ev)


TRACES = [("irq-nesting", irq_nesting, "Interrupt nesting on one CPU"),
          ("ipi-round-trip", ipi_round_trip, None),
          ("timer-firing", timer_firing, None),
          ("wakeup-switch", wakeup_switch, None),
          ("edge-cases", edge_cases, "Edge cases: {special} & 100% odd"),
          ("busy-smp", busy_smp, None)]


def serial_log(trace):
    """The trace as the kernel prints it, with other CPUs' lines in between
    and a few broken lines."""
    lines = ["SeaBIOS (version 1.16)", "litkernel: booting", "[cpu 1] online",
             tracefig.BEGIN, '{"displayTimeUnit":"ns","traceEvents":[']
    evs = trace["traceEvents"]
    for i, e in enumerate(evs):
        lines.append(json.dumps(e, separators=(",", ":")) + ("," if i < len(evs) - 1 else ""))
        if i == 2:
            lines.append("cpu1: watchdog: touched")          # another CPU's printk
        if i == 4:
            lines.append('{"name":"irq 3","ph":"B","ts":1')  # cut by another CPU: malformed
            lines.append("cpu1: hello")
            lines.append('2.0,"tid":1},')                    # its rest: malformed
        if i == 6:
            lines.append("[1,2,3],")                         # JSON, not an event: malformed
    lines += ["]}", tracefig.END, "litkernel: halt"]
    return "\r\n".join(lines) + "\r\n"


class Render(unittest.TestCase):
    def test_render_and_compile(self):
        for name, make, title in TRACES:
            with self.subTest(trace=name):
                events = tracefig.load(json.dumps(make()))
                tex = tracefig.tikz(events, title=title)
                self.assertTrue(tex.startswith("% Generated by ci/lib/tracefig.py"))
                self.assertEqual(tex.count("\\begin{tikzpicture}"), 1)
                self.assertTrue(tex.rstrip().endswith("\\end{tikzpicture}"))
                compile_tex(name, tex)

    def test_window_and_cpus(self):
        events = tracefig.load(wakeup_switch())
        sel = tracefig.select(events, start_us=T + 5.0, end_us=T + 15.0, cpus=[0])
        spans = [e for e in sel if e.get("ph") == "X"]
        self.assertTrue(spans and all(e["tid"] == 0 for e in sel if "tid" in e))
        for e in spans:
            self.assertGreaterEqual(e["ts"], T + 5.0)
            self.assertLessEqual(e["ts"] + e["dur"], T + 15.0 + 1e-9)
        idle = next(e for e in spans if e["name"] == "idle")
        self.assertEqual(idle["_open"], "l")
        worker = next(e for e in spans if e["name"] == "worker")
        self.assertEqual(worker["_open"], "r")
        tex = tracefig.tikz(sel, title="CPU 0, 5 to 15 us", caption_note="A window of "
                            "\\texttt{wakeup-switch}.")
        self.assertIn("CPU 0", tex)
        self.assertNotIn("CPU 1}", tex)
        compile_tex("window", tex)

    def test_select_is_neutral(self):
        # Selecting everything changes nothing in a well-formed trace.
        for name, make, _ in TRACES[:4]:
            with self.subTest(trace=name):
                events = tracefig.load(make())
                self.assertEqual(tracefig.tikz(tracefig.select(events)), tracefig.tikz(events))

    def test_odd_lanes_and_width(self):
        ev = [{"name": "a", "cat": "irq", "ph": "X", "ts": 5, "dur": 1, "pid": 1, "tid": "7"},
              {"name": "b", "cat": "irq", "ph": "X", "ts": 5.5, "dur": 1, "pid": 1, "tid": "rx"},
              {"name": "c", "cat": "irq", "ph": "X", "ts": 6, "dur": 1, "pid": 2, "tid": 0},
              {"name": "x", "ph": "i", "ts": 6.2, "pid": 2, "tid": 0}]
        tex = tracefig.tikz(ev, width_cm=8.0)
        for lane in ("1/7", "1/rx", "2/0"):
            self.assertIn("{" + lane + "}", tex)
        compile_tex("odd-lanes", tex, expect_width=8.0)
        # a span that only touches the window is not in it
        sel = tracefig.select(ev, start_us=6.5)
        self.assertEqual([e["name"] for e in sel if e.get("ph") == "X"], ["c"])  # b ends at 6.5

    def test_key_letters(self):
        tex = tracefig.tikz(tracefig.load(timer_firing()))
        self.assertIn("\\textit{a}: tick\\_sched\\_timer", tex)
        self.assertIn("\\textit{b}: process\\_timeout", tex)

    def test_categories(self):
        sel = tracefig.select(tracefig.load(timer_firing()), cats="irq,softirq")
        self.assertEqual({e["cat"] for e in sel if e.get("ph") == "X"}, {"irq", "softirq"})

    def test_unmatched_and_order(self):
        tex = tracefig.tikz(tracefig.load(edge_cases()))
        self.assertIn("E events matching no open span (ignored)", tex)
        self.assertIn("B events without an E (closed at the end of the trace)", tex)
        self.assertIn("B events without an E (closed when an outer span ended)", tex)
        self.assertIn("without a phase or a numeric ts", tex)
        self.assertIn("phase 'C'", tex)
        self.assertIn(r"t\_1 \#1 50\% \& \$x \{y\} \textasciitilde{}z", tex)
        self.assertIn("busy-{}-loop", tex)
        # the never-ended IRQ is open on the right: drawn without its right edge
        sel = tracefig.select(tracefig.load(edge_cases()))
        for name in ("irq 33", "irq 34"):
            irq = next(e for e in sel if e.get("name") == name)
            self.assertEqual(irq["_open"], "r")
            self.assertAlmostEqual(irq["ts"] + irq["dur"], T + 40.0)

    def test_nesting_depths(self):
        tr = tracefig._Trace(tracefig.load(irq_nesting()))
        self.assertEqual(len(tr.spans), 6)
        tex = tracefig.tikz(tracefig.load(irq_nesting()))
        # five levels: task, syscall, irq, softirq (beside the handler), tasklet
        ys = sorted({float(m) for m in re.findall(r"\(\S+?,(-?[\d.]+)\) rectangle", tex)})
        self.assertGreaterEqual(len(ys), 5)

    def test_extract(self):
        log = serial_log(ipi_round_trip())
        text = tracefig.extract(log)
        self.assertEqual(text.events, len(ipi_round_trip()["traceEvents"]))
        self.assertEqual(len(text.malformed), 3, text.summary())
        self.assertEqual(text.ignored, 2)
        self.assertTrue(text.complete)
        data = json.loads(text)
        self.assertEqual(data["displayTimeUnit"], "ns")
        self.assertEqual(data["traceEvents"], ipi_round_trip()["traceEvents"])
        # load() takes the log too
        self.assertEqual(len(tracefig.load(log)), text.events)
        # a log cut short: the events so far, marked incomplete
        cut = log[:log.index('"irq 242"')]
        part = tracefig.extract(cut)
        self.assertFalse(part.complete)
        self.assertGreater(part.events, 5)
        self.assertIn("incomplete", part.summary())

    def test_errors(self):
        for bad in ["", "   ", "[]", '{"traceEvents":[]}', '{"displayTimeUnit":"ns"}', "{nope"]:
            with self.subTest(text=bad), self.assertRaises(ValueError):
                tracefig.load(bad)
        with self.assertRaises(ValueError):
            tracefig.extract("no markers here\n")
        with self.assertRaisesRegex(ValueError, "nothing to draw"):
            tracefig.tikz(tracefig.select(tracefig.load(irq_nesting()), start_us=T + 100))
        with self.assertRaisesRegex(ValueError, "nothing to draw"):
            tracefig.tikz([{"ph": "M", "name": "thread_name", "tid": 0,
                            "args": {"name": "CPU 0"}}])
        with self.assertRaises(ValueError):
            tracefig.select(tracefig.load(irq_nesting()), start_us=10, end_us=5)
        # the array form without its closing bracket is a trace
        evs = tracefig.load('[{"name":"a","ph":"X","ts":1,"dur":2,"tid":0},\n')
        self.assertEqual(len(evs), 1)

    def test_command_line(self):
        with tempfile.TemporaryDirectory() as d:
            log = os.path.join(d, "serial.log")
            with open(log, "w") as f:
                f.write(serial_log(wakeup_switch()))
            out, js = os.path.join(d, "fig.tex"), os.path.join(d, "trace.json")
            r = subprocess.run([sys.executable, os.path.join(HERE, "tracefig.py"), log, out,
                                "--from", str(T + 2), "--to", str(T + 20), "--cpus", "0,1",
                                "--title", "wake_up & switch", "--json", js],
                               capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("3 malformed lines skipped", r.stderr)
            with open(out) as f:
                self.assertIn("wake\\_up \\& switch", f.read())
            with open(js) as f:
                self.assertEqual(len(json.load(f)["traceEvents"]),
                                 len(wakeup_switch()["traceEvents"]))
            mtime = os.path.getmtime(out)
            os.utime(out, (mtime - 100, mtime - 100))
            subprocess.run([sys.executable, os.path.join(HERE, "tracefig.py"), js, out,
                            "--from", str(T + 2), "--to", str(T + 20), "--cpus", "0,1",
                            "--title", "wake_up & switch"], check=True)
            self.assertEqual(os.path.getmtime(out), mtime - 100)   # unchanged: not rewritten
            r = subprocess.run([sys.executable, os.path.join(HERE, "tracefig.py"),
                                os.path.join(d, "missing.log"), out], capture_output=True, text=True)
            self.assertEqual(r.returncode, 1)
            self.assertIn("tracefig:", r.stderr)


if __name__ == "__main__":
    args = sys.argv[1:]
    for opt in ("--png", "--keep"):
        if opt in args:
            i = args.index(opt)
            globals()[opt[2:].upper() + "_DIR"] = args[i + 1]
            del args[i:i + 2]
    if not shutil.which("pdflatex"):
        sys.exit("test_tracefig: pdflatex is not installed; cannot compile the figures")
    unittest.main(argv=[sys.argv[0]] + args, verbosity=2)
