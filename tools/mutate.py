#!/usr/bin/env python3
"""Sampled mutation testing of libmm (make mutate; coverage/README.md).

Each mutant is one small change to one C file: a relational operator
swapped, an integer literal moved by one, `+ 1` turned into `- 1` (and back),
`&&` and `||` swapped, a statement-level call deleted, or a return forced at
the start of a function. The tool copies the tree to build/mutate/src (the
working tree is never touched), configures build/mutate/build once (default
preset flags, no kernel, no boot tests, no benchmarks), and for each sampled
mutant writes the change into the copy, rebuilds (only the mutated file
recompiles; the tests relink) and runs every registered test (host tests and
fuzz corpus replays) until one fails. A mutant that fails to compile is
invalid and not counted; one that makes a test fail, crash or exceed its
time limit is killed; one that passes every test survived.

  tools/mutate.py                 sampled run: MUTATE_N mutants, MUTATE_SEED
  tools/mutate.py --list          every mutant of MUTATE_FILES, with its id
  tools/mutate.py --show ID       the diff of one mutant
  tools/mutate.py --replay ID     build one mutant, run every test, verbose
  tools/mutate.py --self-test     the operators on a fixed snippet

Environment: MUTATE_SEED (1), MUTATE_N (150), MUTATE_FILES (the globs
"libmm/*.c libmm/host/*.c"), MUTATE_SANITIZE (0; 1: the asan preset's
build and options, in build/mutate/build-asan), MUTATE_JOBS (2: tests run in parallel, make
-j), MUTATE_TIMEOUT (minimum seconds per test, 10; a test may also take ten
times its unmutated time), MUTATE_MEM_MB (address-space limit per test,
4096). Output: one line per survivor, then as the last line
`mutation: killed=K survived=S score=P%`.
"""

import argparse
import difflib
import glob
import json
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, "build", "mutate")
SRC = os.path.join(WORK, "src")
# MUTATE_SANITIZE=1: ASan + UBSan with leak checks (slower; also kills
# mutants that only leak or corrupt memory quietly).
SANITIZE = os.environ.get("MUTATE_SANITIZE", "0") == "1"
BLD = os.path.join(WORK, "build-asan" if SANITIZE else "build")
CONFIGURE = ["-DCMAKE_BUILD_TYPE=" + ("Debug" if SANITIZE else
                                      "RelWithDebInfo"),
             "-DXOMB_BUILD_KERNEL=OFF", "-DXOMB_BOOT_TESTS=OFF",
             "-DXOMB_BUILD_BENCH=OFF", "-DXOMB_COVERAGE=OFF",
             "-DXOMB_FUZZ=OFF",
             "-DXOMB_SANITIZE=" + ("ON" if SANITIZE else "OFF")]
SANITIZER_ENV = {"ASAN_OPTIONS": "detect_leaks=1:abort_on_error=1",
                 "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1"}

# ---------------------------------------------------------------- mutants

TOKEN = re.compile(r"""
    (?P<ws>[ \t\r\n\f\v]+)
  | (?P<comment>//[^\n]*|/\*.*?\*/)
  | (?P<str>"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')
  | (?P<num>(?:0[xX][0-9a-fA-F]+|[0-9]+)[uUlL]*(?![.\w]))
  | (?P<fnum>[0-9][\w.]*)
  | (?P<id>[A-Za-z_]\w*)
  | (?P<op>\.\.\.|<<=|>>=|->|\+\+|--|<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%&|^]=
         |[-+*/%&|^!~<>=?:;,.(){}\[\]\#\\])
""", re.S | re.X)

RELATIONAL = {"<": ["<=", ">="], "<=": ["<", ">"], ">": [">=", "<="],
              ">=": [">", "<"], "==": ["!="], "!=": ["=="]}
KEYWORDS = {"if", "while", "for", "switch", "return", "sizeof", "do",
            "else", "case", "goto", "break", "continue", "default",
            "_Static_assert", "_Alignof", "typedef", "struct", "union",
            "enum"}
CONTROL = {"if", "while", "for", "switch"}
# Deleting an assertion changes no behaviour a correct program can see.
NOT_DELETED = {"MM_ASSERT"}


class Tok:
    """One token: kind, text and [start, end) offsets in the file."""

    def __init__(self, kind, text, start):
        self.kind, self.text = kind, text
        self.start, self.end = start, start + len(text)


class Mutant:
    """One change: replace [start, end) of path's text with repl."""

    def __init__(self, path, start, end, repl, kind, what):
        self.path, self.start, self.end = path, start, end
        self.repl, self.kind, self.what = repl, kind, what
        self.id = None
        self.line = None

    def apply(self, text):
        return text[:self.start] + self.repl + text[self.end:]

    def describe(self):
        return "%s:%d: %s: %s" % (self.path, self.line, self.kind, self.what)


def tokenize(text):
    """C tokens without comments and preprocessor lines (never mutated)."""
    toks, pos, line_start, in_pp = [], 0, True, False
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m:
            raise ValueError("cannot tokenize at offset %d" % pos)
        kind, s = m.lastgroup, m.group()
        pos = m.end()
        if kind == "ws" or kind == "comment":
            if "\n" in s:
                if m.start() == 0 or text[m.start() - 1] != "\\":
                    in_pp = False
                line_start = True
            continue
        if s == "#" and line_start:
            in_pp = True
        line_start = False
        if not in_pp:
            toks.append(Tok(kind, s, m.start()))
    return toks


def match_close(toks, i):
    """Index of the bracket closing the one at toks[i]."""
    pair = {"(": ")", "[": "]", "{": "}"}[toks[i].text]
    depth = 0
    for j in range(i, len(toks)):
        if toks[j].text == toks[i].text:
            depth += 1
        elif toks[j].text == pair:
            depth -= 1
            if depth == 0:
                return j
    return len(toks) - 1


def operand_end(tok):
    return tok.kind in ("id", "num") or tok.text in (")", "]")


def literal_variants(text):
    m = re.match(r"(0[xX])?([0-9a-fA-F]+)([uUlL]*)$", text)
    hexa, digits, suffix = m.group(1), m.group(2), m.group(3)
    value = int(digits, 16 if hexa else 10)
    if not hexa and len(digits) > 1 and digits.startswith("0"):
        return []  # octal: leave alone
    out = []
    for v in (value + 1, value - 1):
        if v < 0:
            continue
        body = ("%s%x" % (hexa, v)) if hexa else str(v)
        out.append(body + suffix)
    return out


def expr_mutants(path, toks):
    """Relational, logical and off-by-one mutants of each token."""
    out = []
    for i, t in enumerate(toks):
        if t.kind == "op" and t.text in RELATIONAL:
            for r in RELATIONAL[t.text]:
                out.append(Mutant(path, t.start, t.end, r, "relational",
                                  "'%s' -> '%s'" % (t.text, r)))
        elif t.text in ("&&", "||"):
            r = "||" if t.text == "&&" else "&&"
            out.append(Mutant(path, t.start, t.end, r, "logical",
                              "'%s' -> '%s'" % (t.text, r)))
        elif t.kind == "num":
            for r in literal_variants(t.text):
                out.append(Mutant(path, t.start, t.end, r, "literal",
                                  "%s -> %s" % (t.text, r)))
        if (t.text in ("+", "-") and 0 < i < len(toks) - 1
                and operand_end(toks[i - 1]) and toks[i + 1].text == "1"):
            r = "-" if t.text == "+" else "+"
            out.append(Mutant(path, t.start, t.end, r, "plus-minus-one",
                              "'%s 1' -> '%s 1'" % (t.text, r)))
    return out


def control_closers(toks):
    """Indexes of the ')' that end an if/while/for/switch head."""
    out = set()
    for i, t in enumerate(toks[:-1]):
        if t.text in CONTROL and toks[i + 1].text == "(":
            out.add(match_close(toks, i + 1))
    return out


def call_statement(toks, i):
    """End index (the ';') of a call statement starting at toks[i]."""
    j = i
    if toks[j].text == "(" and j + 2 < len(toks) and \
            toks[j + 1].text == "void" and toks[j + 2].text == ")":
        j += 3
    if j + 1 >= len(toks) or toks[j].kind != "id" or toks[j + 1].text != "(":
        return None
    if toks[j].text in KEYWORDS or toks[j].text in NOT_DELETED:
        return None
    close = match_close(toks, j + 1)
    if close + 1 < len(toks) and toks[close + 1].text == ";":
        return close + 1
    return None


def statement_start(toks, i, closers):
    """Whether a statement may start at toks[i] (i > 0)."""
    prev = toks[i - 1].text
    if prev in (";", "{", "}", "else") or (i - 1) in closers:
        return True
    if prev != ":" or i < 3:
        return False  # not a label: maybe the ':' of a '?:'
    return toks[i - 2].text == "default" or \
        toks[i - 3].text in (";", "{", "}", "case")


def call_mutants(path, toks):
    """Each statement that is only a call, replaced by a null statement."""
    out, closers, depth, parens = [], control_closers(toks), 0, 0
    for i, t in enumerate(toks):
        depth += {"{": 1, "}": -1}.get(t.text, 0)
        parens += {"(": 1, ")": -1}.get(t.text, 0)
        if depth == 0 or parens > (1 if t.text == "(" else 0) or i == 0:
            continue
        if not statement_start(toks, i, closers):
            continue
        end = call_statement(toks, i)
        if end is not None:
            name = toks[i].text if toks[i].kind == "id" else toks[i + 3].text
            out.append(Mutant(path, t.start, toks[end].end, "(void)0;",
                              "call-removed", "%s(...) deleted" % name))
    return out


def return_values(type_toks):
    """What a forced return at the start of a function returns."""
    names = [t.text for t in type_toks if t.text not in ("static", "inline")]
    if names == ["void"]:
        return [""]
    if names == ["mm_status_t"]:
        return ["MM_OK"]
    if names == ["bool"]:
        return ["true", "false"]
    if names and names[0] == "struct" and "*" not in names:
        return []
    return ["0"]


def return_mutants(path, toks):
    """A return inserted as the first statement of each function body."""
    out, depth, decl_start = [], 0, 0
    for i, t in enumerate(toks):
        if depth == 0 and t.text in (";", "}"):
            decl_start = i + 1
        if t.text == "{":
            if depth == 0 and i > 0 and toks[i - 1].text == ")":
                out += function_returns(path, toks, decl_start, i)
            depth += 1
        elif t.text == "}":
            depth -= 1
            if depth == 0:
                decl_start = i + 1
    return out


def function_returns(path, toks, start, brace):
    name = None
    for k in range(start, brace):
        if toks[k].kind == "id" and toks[k + 1].text == "(":
            name = k
            break
    if name is None:
        return []
    out = []
    for v in return_values(toks[start:name]):
        stmt = " return%s;" % ((" " + v) if v else "")
        out.append(Mutant(path, toks[brace].end, toks[brace].end, stmt,
                          "early-return",
                          "%s() starts with 'return%s;'" %
                          (toks[name].text, (" " + v) if v else "")))
    return out


def file_mutants(path):
    """Every mutant of one file, numbered in source order: id path#n."""
    with open(os.path.join(ROOT, path)) as f:
        return text_mutants(path, f.read())


def text_mutants(path, text):
    toks = tokenize(text)
    muts = expr_mutants(path, toks) + call_mutants(path, toks) + \
        return_mutants(path, toks)
    muts.sort(key=lambda m: (m.start, m.end, m.kind, m.repl))
    for n, m in enumerate(muts):
        m.id = "%s#%d" % (path, n)
        m.line = text.count("\n", 0, m.start) + 1
    return muts


def selected_files():
    pats = os.environ.get("MUTATE_FILES", "libmm/*.c libmm/host/*.c")
    files = set()
    for p in pats.split():
        hits = glob.glob(p, root_dir=ROOT)
        if not hits:
            sys.exit("mutate: MUTATE_FILES pattern %s matches nothing" % p)
        files.update(hits)
    return sorted(files)


def all_mutants(files):
    out = []
    for f in files:
        out += file_mutants(f)
    return out


def find_mutant(ident):
    path = ident.split("#")[0]
    for m in file_mutants(path):
        if m.id == ident:
            return m
    sys.exit("mutate: no mutant %s (see --list)" % ident)

# ------------------------------------------------------------- workspace


def source_files():
    out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard",
                          "-z"], cwd=ROOT, check=True,
                         capture_output=True).stdout
    return [p for p in out.decode().split("\0")
            if p and os.path.isfile(os.path.join(ROOT, p))]


def sync_copy():
    """Make SRC equal to the working tree, touching only what differs."""
    wanted = set(source_files())
    for p in wanted:
        src, dst = os.path.join(ROOT, p), os.path.join(SRC, p)
        with open(src, "rb") as f:
            data = f.read()
        if os.path.exists(dst):
            with open(dst, "rb") as f:
                if f.read() == data:
                    continue
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy2(src, dst)
        os.utime(dst)
    for d, _, names in os.walk(SRC):
        for n in names:
            rel = os.path.relpath(os.path.join(d, n), SRC)
            if rel not in wanted:
                os.remove(os.path.join(d, n))


def write_source(path, text, last_build):
    """Write one file of the copy so make sees it newer than its object."""
    dst = os.path.join(SRC, path)
    with open(dst, "w") as f:
        f.write(text)
    if os.stat(dst).st_mtime_ns <= last_build:
        t = last_build + 1000000
        os.utime(dst, ns=(t, t))


def build(jobs, verbose=False):
    r = subprocess.run(["cmake", "--build", BLD, "-j", str(jobs)],
                       capture_output=True, text=True)
    if verbose and r.returncode != 0:
        sys.stdout.write(r.stdout[-4000:] + r.stderr[-4000:])
    return r.returncode == 0, time.time_ns()


def configure(jobs):
    os.makedirs(SRC, exist_ok=True)
    sync_copy()
    if not os.path.exists(os.path.join(BLD, "CMakeCache.txt")):
        subprocess.run(["cmake", "-S", SRC, "-B", BLD] + CONFIGURE,
                       check=True, capture_output=True)
    ok, stamp = build(jobs, verbose=True)
    if not ok:
        sys.exit("mutate: the unmutated tree does not build")
    return stamp

# ----------------------------------------------------------------- tests


class Test:
    def __init__(self, name, command, cwd, env):
        self.name, self.command, self.cwd, self.env = name, command, cwd, env
        self.base, self.limit, self.kills = 0.0, 600.0, 0


def list_tests():
    out = subprocess.run(["ctest", "--test-dir", BLD, "--show-only=json-v1"],
                         check=True, capture_output=True, text=True).stdout
    tests = []
    for t in json.loads(out)["tests"]:
        props = {p["name"]: p["value"] for p in t.get("properties", [])}
        if "boot" in props.get("LABELS", []) or props.get("DISABLED"):
            continue
        env = dict(os.environ, **(SANITIZER_ENV if SANITIZE else {}))
        for kv in props.get("ENVIRONMENT", []):
            k, _, v = kv.partition("=")
            env[k] = v
        tests.append(Test(t["name"], t["command"],
                          props.get("WORKING_DIRECTORY", BLD), env))
    if not tests:
        sys.exit("mutate: ctest lists no tests in %s" % BLD)
    return tests


def limit_memory():
    """Address-space cap (not under ASan, whose shadow needs terabytes)."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if SANITIZE:
        return
    mb = int(os.environ.get("MUTATE_MEM_MB", "4096"))
    resource.setrlimit(resource.RLIMIT_AS, (mb << 20, mb << 20))


def start(test, capture):
    """Start one test; its output goes to a scratch file or nowhere."""
    out = tempfile.TemporaryFile("w+") if capture else subprocess.DEVNULL
    p = subprocess.Popen(test.command, cwd=test.cwd, env=test.env,
                         stdout=out, stderr=subprocess.STDOUT,
                         stdin=subprocess.DEVNULL, start_new_session=True,
                         preexec_fn=limit_memory)
    p.log = out if capture else None
    return p, time.monotonic()


def output(p):
    if p.log is None:
        return ""
    p.log.seek(0)
    text = p.log.read()
    p.log.close()
    return text


def stop(p):
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    p.wait()


def run_tests(tests, jobs, first_failure=True, capture=False):
    """Run tests j at a time; returns [(test, verdict, seconds, output)]."""
    pending, running, done = list(tests), {}, []
    while pending or running:
        while pending and len(running) < jobs:
            t = pending.pop(0)
            running[t] = start(t, capture)
        time.sleep(0.01)
        for t, (p, t0) in list(running.items()):
            verdict = poll(t, p, t0)
            if verdict is None:
                continue
            done.append((t, verdict, time.monotonic() - t0, output(p)))
            del running[t]
        if first_failure and any(v != "pass" for _, v, _, _ in done):
            for p, _ in running.values():
                stop(p)
            break
    return done


def poll(t, p, t0):
    rc = p.poll()
    if rc is None:
        if time.monotonic() - t0 <= t.limit:
            return None
        stop(p)
        return "timeout"
    return "pass" if rc == 0 else "fail(%d)" % rc


def baseline(tests, jobs):
    """Every test must pass unmutated; its time sets its limit."""
    floor = float(os.environ.get("MUTATE_TIMEOUT", "10"))
    for t, verdict, secs, _ in run_tests(tests, jobs, first_failure=False):
        if verdict != "pass":
            sys.exit("mutate: %s fails on the unmutated tree (%s)" %
                     (t.name, verdict))
        t.base = secs
        t.limit = max(floor, 10 * secs)


def order(tests):
    """Tests that killed most so far first, then the quickest."""
    return sorted(tests, key=lambda t: (-t.kills, t.base, t.name))

# ------------------------------------------------------------------ runs


def settings():
    seed = int(os.environ.get("MUTATE_SEED", "1"))
    n = int(os.environ.get("MUTATE_N", "150"))
    jobs = int(os.environ.get("MUTATE_JOBS", "2"))
    if n <= 0 or jobs <= 0:
        sys.exit("mutate: MUTATE_N and MUTATE_JOBS must be positive")
    return seed, n, jobs


def sample(seed, n):
    muts = all_mutants(selected_files())
    picked = random.Random(seed).sample(muts, min(n, len(muts)))
    picked.sort(key=lambda m: (m.path, int(m.id.split("#")[1])))
    return picked, len(muts)


def original(path):
    with open(os.path.join(ROOT, path)) as f:
        return f.read()


def judge(m, tests, jobs, stamp):
    """Build and test one mutant: (verdict, killing test, build stamp)."""
    write_source(m.path, m.apply(original(m.path)), stamp)
    ok, stamp = build(jobs)
    if not ok:
        return "invalid", "", stamp
    res = run_tests(order(tests), jobs)
    bad = [(t, v) for t, v, _, _ in res if v != "pass"]
    if not bad:
        return "survived", "", stamp
    bad[0][0].kills += 1
    return "killed", "%s %s" % (bad[0][0].name, bad[0][1]), stamp


def run_sample():
    self_test(sys.stderr)
    seed, n, jobs = settings()
    picked, total = sample(seed, n)
    t0 = time.monotonic()
    stamp = configure(jobs)
    tests = list_tests()
    baseline(tests, jobs)
    counts = {"killed": 0, "survived": 0, "invalid": 0}
    timeouts, current = 0, None
    try:
        for k, m in enumerate(picked, 1):
            if current and current != m.path:
                write_source(current, original(current), stamp)
            current = m.path
            verdict, by, stamp = judge(m, tests, jobs, stamp)
            counts[verdict] += 1
            timeouts += by.endswith("timeout")
            report(k, len(picked), m, verdict, by)
    finally:
        if current:
            write_source(current, original(current), stamp)
    summary(counts, timeouts, len(picked), total, seed,
            time.monotonic() - t0)


def report(k, n, m, verdict, by):
    sys.stderr.write("mutate: [%d/%d] %s %s%s\n" %
                     (k, n, m.id, verdict, (" by " + by) if by else ""))
    if verdict == "survived":
        print("survived: %s  [%s]" % (m.describe(), m.id), flush=True)


def summary(counts, timeouts, n, total, seed, secs):
    killed, survived = counts["killed"], counts["survived"]
    judged = killed + survived
    score = 100.0 * killed / judged if judged else 0.0
    print("mutation: seed=%d sampled=%d of %d invalid=%d timeouts=%d "
          "(killed) time=%.0fs (%.1f s per mutant)" %
          (seed, n, total, counts["invalid"], timeouts, secs,
           secs / n if n else 0.0))
    print("mutation: killed=%d survived=%d score=%.1f%%" %
          (killed, survived, score), flush=True)


def show(ident):
    m = find_mutant(ident)
    text = original(m.path)
    print(m.describe())
    sys.stdout.writelines(difflib.unified_diff(
        text.splitlines(True), m.apply(text).splitlines(True),
        "a/" + m.path, "b/" + m.path))
    return m


def replay(ident):
    """One mutant, every test run to the end, failures' output shown."""
    _, _, jobs = settings()
    m = show(ident)
    stamp = configure(jobs)
    tests = list_tests()
    baseline(tests, jobs)
    try:
        write_source(m.path, m.apply(original(m.path)), stamp)
        ok, stamp = build(jobs, verbose=True)
        if not ok:
            print("mutate: %s is invalid: it does not compile" % ident)
            return
        res = run_tests(tests, jobs, first_failure=False, capture=True)
        for t, verdict, secs, out in sorted(res, key=lambda r: r[0].name):
            print("mutate: %-28s %-9s %.2f s" % (t.name, verdict, secs))
            if verdict != "pass":
                print("".join(out.splitlines(True)[-30:]))
        killed = any(v != "pass" for _, v, _, _ in res)
        print("mutate: %s %s" % (ident, "killed" if killed else "survived"))
    finally:
        write_source(m.path, original(m.path), stamp)


SELF_TEST_C = r"""#include <stdbool.h>
#define LESS(a, b) ((a) < (b))
/* a < b && c */
static const char *s = "x < y || z(1);";
mm_status_t g(int a, int b)
{
	if (a < b)
		f(a);
	MM_ASSERT(a != 0x10u);
	for (a = 0; h(a); a++)
		(void)k(a);
	b = a ? b : k(b);
	switch (a) {
	case 2:
		f(b);
	}
	return a && b ? y + 1 : 0;
}
static void v(void)
{
}
bool p(void)
{
	return true;
}
"""

SELF_TEST_EXPECT = [
    ("relational", "if (a <= b)"), ("relational", "if (a >= b)"),
    ("call-removed", "if (a < b)\n\t\t(void)0;"),
    ("literal", "MM_ASSERT(a != 0x11u)"), ("literal", "a != 0xfu"),
    ("relational", "MM_ASSERT(a == 0x10u)"),
    ("literal", "for (a = 1;"),
    ("call-removed", "for (a = 0; h(a); a++)\n\t\t(void)0;"),
    ("call-removed", "case 2:\n\t\t(void)0;"),
    ("literal", "case 3:"), ("literal", "case 1:"),
    ("logical", "return a || b"), ("plus-minus-one", "y - 1 : 0"),
    ("literal", "y + 2 :"), ("literal", "y + 0 :"), ("literal", ": 1;"),
    ("early-return", "b)\n{ return MM_OK;"),
    ("early-return", "v(void)\n{ return;"),
    ("early-return", "p(void)\n{ return true;"),
    ("early-return", "p(void)\n{ return false;"),
]


def self_test(out=sys.stdout):
    """The operators on a fixed snippet: each expected change is made,
    nothing else is, and nothing inside comments, strings or preprocessor
    lines. Exits non-zero on the first difference."""
    muts = text_mutants("self-test.c", SELF_TEST_C)
    got = [(m.kind, m.apply(SELF_TEST_C)) for m in muts]
    for kind, snippet in SELF_TEST_EXPECT:
        if not any(k == kind and snippet in t for k, t in got):
            sys.exit("mutate: self-test: no %s mutant giving %r" %
                     (kind, snippet))
    if len(muts) != len(SELF_TEST_EXPECT):
        sys.exit("mutate: self-test: %d mutants, expected %d:\n%s" %
                 (len(muts), len(SELF_TEST_EXPECT),
                  "\n".join(m.describe() for m in muts)))
    out.write("mutate: self-test: %d mutants as expected\n" % len(muts))


def main():
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--self-test", action="store_true",
                   help="check the operators on a fixed C snippet")
    g.add_argument("--list", action="store_true",
                   help="list every mutant of MUTATE_FILES")
    g.add_argument("--show", metavar="ID", help="print one mutant's diff")
    g.add_argument("--replay", metavar="ID",
                   help="build one mutant and run every test, verbose")
    args = ap.parse_args()
    if args.self_test:
        self_test()
    elif args.list:
        for m in all_mutants(selected_files()):
            print("%s  %s" % (m.id, m.describe()))
    elif args.show:
        show(args.show)
    elif args.replay:
        replay(args.replay)
    else:
        run_sample()


if __name__ == "__main__":
    main()
