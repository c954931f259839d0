"""Boots that talk to the kernel's monitor (the monitor chapter): the matrix
kind 'monitor=NAME' boots the kernel without tests, so that init runs the
monitor, and types the script ci/monitor/NAME.txt on its serial line, one
step at a time, checking each answer.

A script is a list of steps, each a line that sends something and the
lines after it that check the answer (the output from the send to the
next prompt, or to QEMU's exit after a crash):

    > WORDS        type WORDS and Enter, wait for the next prompt
    < BYTES        send BYTES (Python escapes: \\x7f, \\t, \\x1b[A, \\r), then
                   wait for the prompt, or for the output to go quiet
    % flood N      send N bytes: printable text, binary bytes and line ends
    ~ REGEX        the answer must match REGEX (multi-line mode)
    ! REGEX        the answer must not match REGEX
    = OUTCOME      the boot must end with this exit (pass, fail, panic;
                   default pass, which the script's 'poweroff' gives)
    # ...          a comment

Every step is one test result, named NAME/STEP-WORDS; so is the exit.
"""
import os
import random
import re
import subprocess
import threading
import time

PROMPT = b"monitor> "
READY = b"monitor: type 'help'"


def parse(path):
    steps, outcome = [], "pass"
    for n, line in enumerate(open(path), 1):
        line = line.rstrip("\n")
        if not line.strip() or line.startswith("#"):
            continue
        op, arg = line[:1], line[2:]
        if op in "<>%":
            steps.append({"op": op, "arg": arg, "line": n, "match": [], "nomatch": []})
        elif op in "~!" and steps:
            steps[-1]["match" if op == "~" else "nomatch"].append(arg)
        elif op == "=":
            outcome = arg.strip()
        else:
            raise ValueError(f"{path}:{n}: cannot read '{line}'")
    return steps, outcome


class Console:
    """QEMU with its serial port on pipes; output collected by a thread."""

    def __init__(self, cmd, log):
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT)
        self.buf = bytearray()
        self.lock = threading.Lock()
        self.last = time.monotonic()
        self.log = open(log, "wb")
        self.t = threading.Thread(target=self._pump, daemon=True)
        self.t.start()

    def _pump(self):
        while True:
            data = os.read(self.p.stdout.fileno(), 4096)
            if not data:
                return
            with self.lock:
                self.buf += data
                self.last = time.monotonic()
            self.log.write(data)
            self.log.flush()

    def size(self):
        with self.lock:
            return len(self.buf)

    def since(self, pos):
        with self.lock:
            return bytes(self.buf[pos:])

    def send(self, data, pace=0):
        """Write data; with pace, a chunk of 16 bytes every pace seconds, as
        a person or a slow terminal would, so that the kernel's receive ring
        is not the thing being tested."""
        try:
            if not pace:
                self.p.stdin.write(data)
                self.p.stdin.flush()
                return
            for i in range(0, len(data), 16):
                self.p.stdin.write(data[i:i + 16])
                self.p.stdin.flush()
                time.sleep(pace)
        except OSError:
            pass

    def wait(self, pos, timeout, quiet=None):
        """Until the output after pos ends with the prompt (or, with quiet,
        has been silent that long), QEMU exits, or timeout: returns
        'prompt', 'quiet', 'exit' or 'timeout'."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with self.lock:
                tail = bytes(self.buf[pos:])
                idle = time.monotonic() - self.last
            if tail.endswith(PROMPT) and idle > 0.2:
                return "prompt"
            if quiet and idle > quiet and time.monotonic() - (end - timeout) > quiet:
                return "quiet"
            if self.p.poll() is not None:
                self.t.join(2)
                return "exit"
            time.sleep(0.05)
        return "timeout"

    def close(self, timeout):
        try:
            rc = self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
            rc = None
        self.t.join(2)
        self.log.close()
        return rc


def flood(n, seed=14):
    """n bytes a monitor must survive: words, binary bytes, escape
    sequences cut short, long lines, and line ends."""
    r = random.Random(seed)
    out = bytearray()
    while len(out) < n:
        kind = r.random()
        if kind < 0.5:
            out += bytes(r.randrange(0x20, 0x7f) for _ in range(r.randrange(1, 300)))
        elif kind < 0.8:
            out += bytes(r.randrange(0, 256) for _ in range(r.randrange(1, 40)))
        elif kind < 0.9:
            out += b"\x1b" + bytes(r.randrange(0x20, 0x7f) for _ in range(r.randrange(0, 4)))
        else:
            out += r.choice([b"\r", b"\n", b"\r\n", b"\x03", b"\x15"])
    return bytes(out[:n])


def step_name(step):
    words = re.sub(r"[^A-Za-z0-9]+", "-", step["arg"]).strip("-")[:32]
    return f"{step['line']:03d}-{words or 'bytes'}"


def run(name, cmd, script, log, timeout, status_of):
    """Boot, wait for the monitor, run the script's steps. Returns a list of
    (result name, 'pass'|'fail', note)."""
    steps, outcome = parse(script)
    results = []
    con = Console(cmd, log)
    state = con.wait(0, 60)
    if state != "prompt" or READY not in con.since(0):
        rc = con.close(5)
        return [(f"{name}/ready", "fail",
                 f"no monitor prompt ({state}, exit {rc}): see {log}")]
    for step in steps:
        pos = con.size()
        if step["op"] == ">":
            con.send(step["arg"].encode() + b"\r", pace=0.01)
            big = step["arg"].split()[:1] in (["test"], ["bench"], ["sleep"])
            state = con.wait(pos, 600 if big else 60)
        elif step["op"] == "<":
            raw = step["arg"].encode().decode("unicode_escape").encode("latin-1")
            con.send(raw, pace=0.01)
            state = con.wait(pos, 60, quiet=None if raw.endswith((b"\r", b"\n")) else 1.0)
        else:
            n = int(step["arg"].split()[1])
            con.send(flood(n))
            time.sleep(1)
            con.send(b"\x03\r")
            state = con.wait(pos, 120, quiet=5.0)
        answer = con.since(pos).decode("latin-1")
        missing = [m for m in step["match"] if not re.search(m, answer, re.M)]
        present = [m for m in step["nomatch"] if re.search(m, answer, re.M)]
        ok = not missing and not present and state in ("prompt", "quiet", "exit")
        note = "" if ok else (f"{state}; missing {missing}; present {present}; answer: "
                              + answer[-600:].replace("\n", "\\n"))
        results.append((f"{name}/{step_name(step)}", "pass" if ok else "fail", note))
        if state in ("exit", "timeout"):
            break
    rc = con.close(120 if outcome == "panic" else 10)
    ok = rc is not None and rc == status_of(outcome)
    results.append((f"{name}/exit", "pass" if ok else "fail",
                    "" if ok else f"exit {rc}, expected {outcome} ({status_of(outcome)})"))
    return results
