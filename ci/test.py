#!/usr/bin/env python3
"""Everything `make test` promises, counted: ends with 'N passed, N failed'.

Stages: make check (lint, tangle/ freshness, a warning-free build); the host
unit tests (KTAP, under ASan+UBSan); the Multiboot header and loader-entry
checks; the GRUB test images; gdb backtraces (ci/test-gdb); every boot of
ci/matrix, two at a time; the
pipeline tests (ci/test-pipeline, KTAP); the book.
A stage that cannot run counts as failed. Exit status 1 if anything failed.
"""
import concurrent.futures as cf
import os
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ktap  # noqa: E402

os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
OUT = "build/test"
totals = {"pass": 0, "fail": 0, "skip": 0}
failures = []


def record(name, status, note=""):
    totals[status] += 1
    if status == "fail":
        failures.append(f"{name}: {note}" if note else name)


def add_report(report):
    for name, status, note in report.results:
        record(name, status, note)
    for e in report.errors:
        record(e, "fail")


def run(name, cmd, **kw):
    """Run a command; record one result; return (ok, output)."""
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    secs = time.monotonic() - t0
    ok = p.returncode == 0
    out = p.stdout + p.stderr
    tail = "\n".join(out.strip().splitlines()[-15:])
    record(name, "pass" if ok else "fail", "" if ok else f"exit {p.returncode}\n{tail}")
    print(f"{'ok  ' if ok else 'FAIL'} {name} ({secs:.1f} s)", flush=True)
    return ok, out


GOOD = """boot log
KTAP version 1
1..2
    KTAP version 1
    # Subtest: a
    1..2
    ok 1 x
    ok 2 y # SKIP no such feature
ok 1 a
    KTAP version 1
    # Subtest: b
    1..1
    # x: EXPECT_EQ(1, 2) failed
    not ok 1 x
not ok 2 b
"""


def stage_parser():
    """The KTAP parser must accept a good report and reject each defect."""
    def errors(text):
        r = ktap.Report()
        ktap.parse(text, r)
        return r
    r = errors(GOOD)
    good = (r.counts() == (1, 1, 1) and not r.errors
            and [n for n, _, _ in r.results] == ["a/x", "a/y", "b/x"])
    cases = {
        "missing version line": GOOD.replace("KTAP version 1\n1..2", "1..2"),
        "missing plan": GOOD.replace("\n1..2\n", "\n"),
        "truncated (crash)": GOOD[:GOOD.index("ok 1 a")],
        "misnumbered result": GOOD.replace("ok 2 y", "ok 3 y"),
        "suite ok with a failing subtest": GOOD.replace("not ok 2 b", "ok 2 b"),
        "suite plan not met": GOOD.replace("    1..1\n", "    1..2\n"),
    }
    bad = [name for name, text in cases.items() if not errors(text).errors]
    ok = good and not bad
    record("KTAP parser self-test", "pass" if ok else "fail",
           "" if ok else f"good report misparsed: {not good}; defects accepted: {bad}")
    print(f"{'ok  ' if ok else 'FAIL'} KTAP parser self-test ({len(cases)} defects rejected)", flush=True)


def ktap_program(title, cmd, prefix):
    """Run a program that reports in KTAP; count its results. A non-zero exit
    without a failing result is itself a failure. Returns its output."""
    p = subprocess.run(cmd, capture_output=True, text=True)
    r = ktap.Report()
    ktap.parse(p.stdout, r, prefix)
    if p.returncode != 0 and not any(s == "fail" for _, s, _ in r.results):
        r.errors.append(f"{prefix}: exit status {p.returncode}\n{p.stderr[-2000:]}")
    add_report(r)
    pa, fa, _ = r.counts()
    print(f"{'ok  ' if not fa else 'FAIL'} {title}: {pa} passed, {fa} failed", flush=True)
    if fa:
        print(p.stdout[-3000:] + p.stderr[-2000:])
    return p.stdout


def stage_check():
    return run("make check", ["make", "-s", "check"])[0]


def stage_host():
    ok, _ = run("host tests build", ["make", "-s", "host-tests"])
    if ok:
        ktap_program("host unit tests", ["build/kernel/host/format-test"], "host/format")


def stage_multiboot():
    """The loader scans the first 8 KiB for the header, 4-byte aligned."""
    data = open("build/kernel/kernel.elf32", "rb").read(8192)
    for off in range(0, len(data) - 12, 4):
        magic, flags, csum = struct.unpack_from("<III", data, off)
        if magic == 0x1BADB002 and (magic + flags + csum) & 0xffffffff == 0:
            record("multiboot header in the first 8 KiB", "pass")
            print(f"ok   multiboot header at file offset {off:#x}", flush=True)
            return
    record("multiboot header in the first 8 KiB", "fail", "not found")
    print("FAIL multiboot header not found in the first 8 KiB", flush=True)


def stage_loader_entry():
    """GRUB's rule for an ELF kernel: the entry point must lie inside a
    loadable segment's virtual range (it then converts it to a physical
    address through that segment); QEMU jumps to it as written, so the two
    agree only if that segment's virtual and physical addresses are equal."""
    data = open("build/kernel/kernel.elf32", "rb").read()
    entry, phoff = struct.unpack_from("<II", data, 24)
    phentsize, phnum = struct.unpack_from("<HH", data, 42)
    inside = []
    for i in range(phnum):
        ptype, _, vaddr, paddr, _, memsz = struct.unpack_from("<6I", data, phoff + i * phentsize)
        if ptype == 1 and vaddr <= entry < vaddr + memsz:
            inside.append(vaddr == paddr)
    ok = inside == [True]
    record("loader image: entry point inside a segment, virtual = physical",
           "pass" if ok else "fail", "" if ok else f"entry {entry:#x}: {inside}")
    print(f"{'ok  ' if ok else 'FAIL'} loader image: entry {entry:#x} in a segment "
          f"with virtual = physical addresses", flush=True)


def stage_isos():
    return run("make test-isos", ["make", "-s", "test-isos"])[0]


def stage_pipeline():
    ktap_program("pipeline tests", ["ci/test-pipeline"], "pipeline")
    ktap_program("cross-reference rules", ["ci/test-xref"], "xref")
    run("timeline drawing (ci/lib/test_tracefig.py)", ["python3", "ci/lib/test_tracefig.py"])


def stage_gdb():
    ktap_program("gdb backtraces", ["ci/test-gdb"], "gdb")


def matrix():
    for line in open("ci/matrix"):
        line = line.split("#", 1)[0].split()
        if line:
            yield line[0], line[1], line[2:]


def stage_boots():
    configs = list(matrix())
    jobs = int(os.environ.get("JOBS", "2"))

    def one(cfg):
        name, kind, args = cfg
        return cfg, ktap.boot(name, args, kind, OUT)

    with cf.ThreadPoolExecutor(jobs) as ex:
        for (name, expect, args), (report, secs, log) in ex.map(one, configs):
            add_report(report)
            p, f, k = report.counts()
            print(f"{'ok  ' if not f else 'FAIL'} boot {name:24} {p:3} passed, "
                  f"{f} failed, {k} skipped ({secs:.1f} s)", flush=True)
            if f:
                print(f"     log: {log}")
                print("     " + open(log, errors="replace").read()[-2500:].replace("\n", "\n     "))


def stage_book():
    ktap_program("the book's finish (ci/booklint)", ["ci/booklint", "--ktap"], "booklint")
    run("make pdf", ["make", "-s", "pdf"])
    ok, _ = run("make html", ["make", "-s", "html"])
    if ok:
        out = ktap_program("HTML edition in Chromium", ["ci/test-html"], "html")
        print("     " + " ".join(l[2:] for l in out.splitlines() if l.startswith("# ") and "links checked" in l), flush=True)


def main():
    t0 = time.monotonic()
    stage_parser()
    if not stage_check():
        print("make check failed: the kernel did not build; skipping what needs it")
    else:
        stage_host()
        stage_multiboot()
        stage_loader_entry()
        stage_isos()
        stage_gdb()
        stage_boots()
    stage_pipeline()
    stage_book()
    if failures:
        print("\nFailures:")
        for f in failures:
            print("  - " + f.replace("\n", "\n    "))
    print(f"\nmake test took {time.monotonic() - t0:.0f} s")
    print(f"{totals['pass']} passed, {totals['fail']} failed, {totals['skip']} skipped")
    return 1 if totals["fail"] else 0


if __name__ == "__main__":
    sys.exit(main())
