#!/usr/bin/env python3
"""A strict KTAP version 1 parser, and a QEMU boot runner built on it.

Strict means: the version line and the plan must be there, every result must
carry the next number, every (sub)plan must be met, a suite's result must agree
with its subtests, and anything missing is a failure. Lines that are not KTAP
(printk output from the code under test) are tolerated, as KTAP allows.

Used by ci/test.py; also runnable on a saved log:  ci/ktap.py build/test/LOG
"""
import os
import re
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemu  # noqa: E402

RESULT = re.compile(r"^(ok|not ok) (\d+)(?: -)?(?: ([^#]*?))?\s*(?:#\s*(SKIP|TODO)\b\s*(.*))?$")
PLAN = re.compile(r"^1\.\.(\d+)$")


class Report:
    """Leaf results as (name, status, note); status is pass, fail or skip."""

    def __init__(self):
        self.results = []
        self.errors = []        # protocol errors: each one counts as a failure

    def counts(self):
        p = sum(1 for _, s, _ in self.results if s == "pass")
        f = sum(1 for _, s, _ in self.results if s == "fail") + len(self.errors)
        k = sum(1 for _, s, _ in self.results if s == "skip")
        return p, f, k


def parse(text, report, prefix=""):
    """Parse a KTAP document (possibly preceded by a boot log) into report."""
    lines = text.splitlines()
    try:
        start = lines.index("KTAP version 1")
    except ValueError:
        report.errors.append(f"{prefix}no 'KTAP version 1' line: the run crashed "
                             "or never started its tests")
        return
    pos = _block(lines, start + 1, 0, prefix.rstrip("/"), report)
    del pos


def _block(lines, i, indent, path, report):
    """Parse the body of a block whose version line was at i-1; return the
    index after it and the list of statuses of its direct results."""
    pad = " " * indent
    # Optional diagnostics (such as '# Subtest: name') before the plan.
    while i < len(lines) and lines[i].startswith(pad + "#"):
        i += 1
    if i >= len(lines) or not PLAN.match(lines[i][indent:]) or not lines[i].startswith(pad):
        report.errors.append(f"{path or 'top level'}: missing plan '1..N' after the version line")
        return i, []
    planned = int(PLAN.match(lines[i][indent:]).group(1))
    i += 1
    expected, statuses, sub = 1, [], None
    while expected <= planned:
        if i >= len(lines):
            report.errors.append(f"{path or 'top level'}: {planned - expected + 1} of "
                                 f"{planned} results missing (crash or timeout after "
                                 f"result {expected - 1})")
            return i, statuses
        line = lines[i]
        if line == pad + "    KTAP version 1":
            i, sub = _block(lines, i + 1, indent + 4, path + "/?", report)
            continue
        m = RESULT.match(line[indent:]) if line.startswith(pad) and not line.startswith(pad + " ") else None
        if not m:
            i += 1                      # a diagnostic or unrelated output
            continue
        ok, num, name, directive, reason = m.groups()
        name = (name or "").strip()
        if int(num) != expected:
            report.errors.append(f"{path}: result numbered {num} where {expected} was expected")
        full = f"{path}/{name}" if path else name
        if sub is not None:
            _rename(report, path + "/?", full)
            if ok == "ok" and "fail" in sub:
                report.errors.append(f"{full}: reported ok although a subtest failed")
            if ok == "not ok" and sub and "fail" not in sub:
                report.errors.append(f"{full}: reported not ok with no failing subtest")
            statuses.append("fail" if ok == "not ok" else "pass")
            sub = None
        else:
            status = "fail" if ok == "not ok" else ("skip" if directive == "SKIP" else "pass")
            report.results.append((full, status, reason or ""))
            statuses.append(status)
        expected += 1
        i += 1
    return i, statuses


def _rename(report, tmp, full):
    n = len(tmp)
    report.results[:] = [((full + r[n:]) if r.startswith(tmp) else r, s, note)
                         for r, s, note in report.results]
    report.errors[:] = [(full + e[n:]) if e.startswith(tmp) else e for e in report.errors]


SERIAL_PROMPT = "ktest: type a line on the serial console"
SERIAL_INPUT = b"ktest serial input\r"
# The storm of the harness appendix asks for a flood of input, naming the
# number of bytes; exactly that many are sent, printable lines of 64 bytes.
FLOOD_PROMPT = re.compile(rb"ktest: send (\d+) bytes to the serial console")


def flood(n):
    """n bytes of printable text in lines of 64 (63 characters and a newline)."""
    lines = b"".join(b"storm flood %06d %s\n" % (i, b"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH")
                     for i in range(n // 64 + 1))
    return lines[:n]
# Each kind of boot in ci/matrix: the command line it runs with, and, for
# boots that do not end in a KTAP report, the outcome its exit status must
# report (ci/qemu.py maps statuses to outcomes) and the lines the log must
# show. 'ktap' boots are parsed and must report pass or fail. A crash test,
# 'crash=NAME', is registered in the kernel with the lines it must print
# (KTEST_CRASH); the kernel announces them as '# expect:' lines before it
# crashes, and each must then appear in what follows.
KINDS = {
    "ktap": ("ktest=all", None, None),
    "badfilter": ("ktest=boot,nosuchsuite", "fail",
                  ["ktest: no suite named 'nosuchsuite'; the suites are:", " boot ", " doors "]),
    "nolongmode": ("ktest=all", "panic", ["boot: this CPU has no 64-bit long mode"]),
    "toosmall": ("ktest=all", "panic", ["Kernel panic - not syncing: memory: only",
                                        "it needs 1024 KiB (QEMU: -m 4M or more)"]),
}
EXPECT = "# expect: "


def kind_of(kind):
    """(command line, outcome, required lines or None, is a crash test)."""
    if kind.startswith("crash="):
        return f"ktest={kind[6:]}", "panic", [], True
    return (*KINDS[kind], False)


def crash_expectations(text):
    """The '# expect:' lines a crash test printed, and the log after them."""
    lines = text.splitlines()
    idx = [i for i, line in enumerate(lines) if line.startswith(EXPECT)]
    if not idx:
        return None, ""
    return [lines[i][len(EXPECT):] for i in idx], "\n".join(lines[idx[-1] + 1:])


def run_qemu(cmd, log, timeout):
    """Run QEMU with the guest's serial port on a pipe: copy its output to the
    log and, when the kernel asks for a line, type one. Returns the exit
    status, or None after a timeout."""
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)

    def pump():
        with open(log, "wb") as f:
            for line in p.stdout:
                f.write(line)
                f.flush()
                if SERIAL_PROMPT.encode() in line:
                    try:
                        p.stdin.write(SERIAL_INPUT)
                        p.stdin.flush()
                    except OSError:
                        pass
                m = FLOOD_PROMPT.search(line)
                if m:
                    # From a thread of its own: QEMU takes the bytes only as
                    # fast as the guest reads them, and this thread must go
                    # on reading the guest's output meanwhile.
                    threading.Thread(target=send, args=(flood(int(m.group(1))),),
                                     daemon=True).start()

    def send(data):
        try:
            p.stdin.write(data)
            p.stdin.flush()
        except OSError:
            pass
    t = threading.Thread(target=pump, daemon=True)
    t.start()
    try:
        rc = p.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        rc = None
    t.join(5)
    return rc


def monitor_boot(name, qemu_args, script, log):
    """A boot that types ci/monitor/SCRIPT.txt to the monitor (see
    ci/monitor_script.py); each step is a result."""
    import monitor_script
    t0 = time.monotonic()
    report = Report()
    report.results += monitor_script.run(
        name, qemu.matrix_command(qemu_args, "ktest.monitor"), os.path.join("ci", "monitor", script + ".txt"),
        log, 900, lambda outcome: qemu.STATUS.get(outcome))
    return report, time.monotonic() - t0, log


def boot(name, qemu_args, kind, outdir, timeout=120):
    """Boot one configuration; return (Report, seconds, log path)."""
    os.makedirs(outdir, exist_ok=True)
    log = os.path.join(outdir, name + ".log")
    if kind.startswith("monitor="):
        return monitor_boot(name, qemu_args, kind[8:], log)
    append, outcome, must, crash = kind_of(kind)
    status = qemu.STATUS.get(outcome)
    t0 = time.monotonic()
    rc = run_qemu(qemu.matrix_command(qemu_args, append), log, timeout)
    secs = time.monotonic() - t0
    text = open(log, errors="replace").read() if os.path.exists(log) else ""
    report = Report()
    if crash:
        must, text = crash_expectations(text)
        if must is None:
            report.results.append((f"{name}/{kind}", "fail",
                                   f"exit {rc}: the kernel announced no '# expect:' lines "
                                   "(is the crash test registered?)"))
            return report, secs, log
    if must is not None:
        missing = [m for m in must if m not in text]
        ok = not missing and rc == status
        report.results.append((f"{name}/{kind}", "pass" if ok else "fail",
                               f"exit {rc} (expected {status}); missing {missing}"
                               if not ok else ""))
        return report, secs, log
    parse(text, report, name + "/")
    if rc is None:
        report.errors.append(f"{name}: timed out after {timeout} s")
    elif qemu.EXIT.get(rc) not in ("pass", "fail"):
        what = "QEMU exited 0: a triple fault or a halt without the exit device" \
            if rc == 0 else qemu.EXIT.get(rc, "an unexpected status")
        report.errors.append(f"{name}: QEMU exit status {rc} ({what})")
    else:
        failed = any(s == "fail" for _, s, _ in report.results)
        if failed != (qemu.EXIT[rc] == "fail"):
            report.errors.append(f"{name}: exit status {rc} disagrees with the KTAP results")
    return report, secs, log


if __name__ == "__main__":
    r = Report()
    parse(open(sys.argv[1]).read(), r)
    for n, s, note in r.results:
        print(f"{s:5} {n} {note}")
    for e in r.errors:
        print("ERROR", e)
    p, f, k = r.counts()
    print(f"{p} passed, {f} failed, {k} skipped")
    sys.exit(1 if f else 0)
