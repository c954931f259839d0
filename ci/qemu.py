#!/usr/bin/env python3
"""The one place that knows how to start QEMU on this kernel, and what its exit
statuses mean.

As a module (ci/ktap.py): command() builds the argument list and
EXIT maps QEMU's exit status to the harness's outcome, read from the kernel's
own header (include/ktest-exit.h), so that the values have one definition.

As a command (the Makefile's run, debug and bench targets):
    ci/qemu.py run   [--machine M] [--smp N] [--cpu C] [--mem S] [--append A]
    ci/qemu.py debug [same options]      stopped, with a gdb stub on :1234
    ci/qemu.py bench                     the benchmark boot, under -icount
The defaults come from the environment (QEMU, ACCEL) and the options.
"""
import argparse
import calendar
import os
import re
import subprocess
import sys
import time

TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
KERNEL = "build/kernel/kernel.elf32"
ISO = "build/kernel/litkernel-{}.iso"
EXIT_DEVICE = ["-device", "isa-debug-exit,iobase={port},iosize=0x04"]


def _exit_header():
    """The KTEST_EXIT_* values of include/ktest-exit.h (the tangled copy)."""
    path = os.path.join(TOP, "tangle/include/ktest-exit.h")
    values = {}
    for line in open(path):
        m = re.match(r"#define\s+KTEST_EXIT_(\w+)\s+(0x[0-9a-fA-F]+|\d+)", line)
        if m:
            values[m.group(1)] = int(m.group(2), 0)
    return values


_HEADER = _exit_header()
PORT = _HEADER["PORT"]
# isa-debug-exit makes QEMU exit with (value << 1) | 1: always odd, never the 0
# of a guest that merely stopped (or triple-faulted, with -no-reboot).
EXIT = {(_HEADER[k] << 1) | 1: k.lower() for k in ("PASS", "FAIL", "PANIC")}
STATUS = {v: k for k, v in EXIT.items()}          # "pass" -> 33, ...


def command(machine_args, append="", image=None, serial=("-serial", "stdio"),
            extra=()):
    """The QEMU command line: machine_args (machine, CPUs, CPU, memory), the
    kernel through -kernel with its command line, or a GRUB image through
    -cdrom; no display, the exit device, and no reboot on a triple fault."""
    args = list(machine_args)
    if "-m" not in args:
        args += ["-m", "128M"]
    if image:
        args += ["-cdrom", image]
    else:
        args += ["-kernel", KERNEL, "-append", append]
    return [os.environ.get("QEMU", "qemu-system-x86_64"),
            "-accel", os.environ.get("ACCEL", "tcg"), *args,
            "-display", "none", *serial, "-no-reboot",
            EXIT_DEVICE[0], EXIT_DEVICE[1].format(port=hex(PORT)), *extra]


def rtc_expect(args):
    """The date, in seconds since 1970, that the boot's RTC starts at: the
    row's '-rtc base=YYYY-MM-DDTHH:MM:SS', or else now (QEMU's default RTC
    follows the host's clock in UTC). The kernel's clocks test reads its RTC
    and compares (rtc.expect on its command line)."""
    if "-rtc" in args:
        m = re.match(r"base=(\d+)-(\d+)-(\d+)T(\d+):(\d+):(\d+)",
                     args[args.index("-rtc") + 1])
        return calendar.timegm(tuple(map(int, m.groups()))) if m else None
    return int(time.time())


def matrix_command(qemu_args, append):
    """A boot of ci/matrix. In qemu_args, '@iso=NAME' boots the GRUB image NAME
    instead of -kernel (its command line then comes from GRUB), and
    '@append=WORDS' adds WORDS to the command line. Every -kernel boot is
    told the date its RTC starts at."""
    args, image, words = [], None, [append]
    for a in qemu_args:
        if a.startswith("@iso="):
            image = ISO.format(a[5:])
        elif a.startswith("@append="):
            words.append(a[8:])
        else:
            args.append(a)
    expect = rtc_expect(args)
    if expect is not None:
        words.append(f"rtc.expect={expect}")
    return command(args, " ".join(words), image, ("-monitor", "none", "-serial", "stdio"))


BENCH_ARGS = ["-icount", "shift=0,sleep=off", "-machine", "q35", "-smp", "1", "-cpu", "max"]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("mode", choices=["run", "debug", "bench"])
    p.add_argument("--machine", default="q35")
    p.add_argument("--smp", default="2")
    p.add_argument("--cpu", default="max")
    p.add_argument("--mem", default="128M")
    p.add_argument("--append", default="")
    a = p.parse_args()
    os.chdir(TOP)
    machine = ["-machine", a.machine, "-smp", a.smp, "-cpu", a.cpu, "-m", a.mem]
    if a.mode == "run":
        print("Booting under QEMU. The serial console is this terminal; the kernel's "
              "monitor answers 'help'; quit with 'poweroff', or Ctrl-A then X.", flush=True)
        # signal=off: Ctrl-C goes to the monitor's line editor, not to QEMU as SIGINT
        cmd = command(machine, a.append,
                      serial=("-chardev", "stdio,id=con,mux=on,signal=off",
                              "-serial", "chardev:con", "-mon", "chardev=con,mode=readline"))
        os.execvp(cmd[0], cmd)
    if a.mode == "debug":
        print("QEMU is stopped with a gdb stub on :1234; gdb loads build/kernel/kernel.elf.")
        print("Try: break kmain, continue, next. Quit gdb, then QEMU stops too.", flush=True)
        qemu = subprocess.Popen(command(machine, a.append,
                                        serial=("-serial", "file:build/debug-serial.log"),
                                        extra=("-s", "-S")))
        try:
            subprocess.call(["gdb", "-q", "build/kernel/kernel.elf",
                             "-ex", "target remote :1234"])
        finally:
            qemu.kill()
        return 0
    # bench: two boots under -icount, one CPU and eight; the kernel prints
    # '# bench' lines.
    os.makedirs("build/bench", exist_ok=True)
    for smp, suite, what in (("1", "bench,bench_locks,bench_sched,bench_sleeplocks,bench_softirq,bench_workqueue,bench_clocks,bench_tick,bench_timers,bench_utime,bench_watchdog,bench_trace", "1 CPU"), ("8", "bench_smp,bench_tick_smp", "8 CPUs")):
        log = f"build/bench/{suite.split(',')[0]}.log"
        args = [a if a != "1" or BENCH_ARGS[i - 1] != "-smp" else smp
                for i, a in enumerate(BENCH_ARGS)]
        with open(log, "w") as f:
            try:
                rc = subprocess.call(command(args, f"ktest={suite} nolockdep schedtick=off",
                                             serial=("-monitor", "none", "-serial", "stdio")),
                                     stdin=subprocess.DEVNULL, stdout=f,
                                     stderr=subprocess.STDOUT, timeout=600)
            except subprocess.TimeoutExpired:
                rc = None
        if rc != STATUS["pass"]:
            print(f"bench: the benchmark boot failed (QEMU exit {rc}); see {log}",
                  file=sys.stderr)
            print("".join(open(log, errors="replace").readlines()[-20:]), file=sys.stderr)
            return 1
        print(f"# bench: q35, {what}, -cpu max, TCG with -icount shift=0 "
              "(instructions are counted, not timed)")
        for line in open(log, errors="replace"):
            if line.startswith("# bench"):
                print(line, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
