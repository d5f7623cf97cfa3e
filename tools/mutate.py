#!/usr/bin/env python3
"""Sampled mutation testing of libmm (make mutate; coverage/README.md).

Each mutant is one small change to one C file (tools/mutate_ops.py): a
relational operator swapped, an integer literal moved by one, `+ 1` turned
into `- 1` (and back), `&&` and `||` swapped, a statement-level call
deleted, or a return forced at the start of a function. The tool copies
the tree to build/mutate/src (the working tree is never touched),
configures build/mutate/build once (default preset flags, no kernel, no
boot tests, no benchmarks), and for each sampled mutant writes the change
into the copy, rebuilds (only the mutated file recompiles; the tests
relink) and runs every registered test (host tests and fuzz corpus
replays) until one fails. A mutant that fails to compile is
invalid and not counted; one that makes a test fail, crash or exceed its
time limit is killed; one that passes every test survived, unless
tools/mutate_equivalent.txt names it as equivalent: a mutant reviewed and
shown to behave exactly like the original (the reason is written beside
it), which no test can kill. The score is the usual mutation score,
killed / (killed + survived), equivalent mutants left out; a registered
mutant that a test kills after all is reported as a wrong entry.

  tools/mutate.py                 sampled run: MUTATE_N mutants, MUTATE_SEED
  tools/mutate.py --list          every mutant of MUTATE_FILES, with its id
  tools/mutate.py --show ID       the diff of one mutant
  tools/mutate.py --replay ID     build one mutant, run every test, verbose
  tools/mutate.py --self-test     the operators on a fixed snippet

Environment: MUTATE_SEED (1), MUTATE_N (150), MUTATE_FILES (the globs
"libmm/*.c libmm/*.h libmm/include/mm/*.h libmm/host/*.c": the hot
path's inline helpers live in headers), MUTATE_SANITIZE (0; 1: the asan
preset's build and options, in build/mutate/build-asan, for every mutant),
MUTATE_RECHECK (1: a mutant that survives the plain build runs once more
in the sanitized build; 0: not), MUTATE_TESTS (a regular expression: only
the ctest names it matches, for a quick replay; never for a score),
MUTATE_WORK (the workspace, build/mutate), MUTATE_JOBS (2: tests run
in parallel, make -j), MUTATE_TIMEOUT (minimum seconds per test, 10; a
test may also take ten times its unmutated time), MUTATE_MEM_MB
(address-space limit per test, 4096). Output: one line per survivor,
then as the last line `mutation: killed=K survived=S score=P%`.
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

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import mutate_ops as ops  # noqa: E402 (the operators, tools/mutate_ops.py)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# MUTATE_WORK: another workspace, so that a replay can run beside a sample.
WORK = os.path.join(ROOT, os.environ.get("MUTATE_WORK",
                                         os.path.join("build", "mutate")))
SRC = os.path.join(WORK, "src")
# MUTATE_SANITIZE=1: every mutant in the ASan + UBSan build with leak
# checks (slower). Otherwise every mutant runs in the plain build, and one
# that survives there runs once more in the sanitized build before it is
# called a survivor (MUTATE_RECHECK=0: not), so that a mutant that only
# leaks or corrupts memory quietly is killed in either mode.
SANITIZE = os.environ.get("MUTATE_SANITIZE", "0") == "1"
RECHECK = not SANITIZE and os.environ.get("MUTATE_RECHECK", "1") == "1"
# MUTATE_FILES default: the sources and the headers whose inline code is
# libmm's (frame_bits.h, frame_tree.h, frame_internal.h, mm/arith.h ...).
DEFAULT_FILES = ("libmm/*.c libmm/*.h libmm/include/mm/*.h "
                 "libmm/host/*.c")
SANITIZER_ENV = {"ASAN_OPTIONS": "detect_leaks=1:abort_on_error=1",
                 "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1"}


class Tree:
    """One build of the copy: plain (RelWithDebInfo) or sanitized."""

    def __init__(self, sanitize):
        self.sanitize = sanitize
        self.bld = os.path.join(WORK, "build-asan" if sanitize else "build")
        self.configure = [
            "-DCMAKE_BUILD_TYPE=" + ("Debug" if sanitize else
                                     "RelWithDebInfo"),
            "-DXOMB_BUILD_KERNEL=OFF", "-DXOMB_BOOT_TESTS=OFF",
            "-DXOMB_BUILD_BENCH=OFF", "-DXOMB_COVERAGE=OFF",
            "-DXOMB_FUZZ=OFF",
            "-DXOMB_SANITIZE=" + ("ON" if sanitize else "OFF")]
        self.tests = []

EQUIVALENT = os.path.join(ROOT, "tools", "mutate_equivalent.txt")

# ---------------------------------------------------------------- mutants


def changed_line(m, text):
    """The line m changes, before and after, white space folded."""
    a = text.rfind("\n", 0, m.start) + 1
    b = text.find("\n", m.end)
    b = len(text) if b < 0 else b
    after = text[a:m.start] + m.repl + text[m.end:b]
    return " ".join(text[a:b].split()), " ".join(after.split())


def line_before(m, text):
    """The last non-blank line above the one m changes, folded."""
    lines = text[:text.rfind("\n", 0, m.start) + 1].split("\n")
    folded = [" ".join(ln.split()) for ln in lines if ln.strip()]
    return folded[-1] if folded else ""


def equivalence(equivalents, m):
    """The registry's reason for m, or None: an entry with `near:` also
    needs that line right above (for a line that stands in several
    places), one without covers every place."""
    text = original(m.path)
    key = (m.path,) + changed_line(m, text)
    return equivalents.get(key + (line_before(m, text),),
                           equivalents.get(key + ("",)))


def load_equivalents():
    """{(path, before, after): reason} from tools/mutate_equivalent.txt.

    Records are separated by blank lines; each has the lines `file:`,
    `before:`, `after:` and `why:` (lines of C, white space folded), and
    may have `near:`, the last non-blank line above `before:`. Without
    `near:` an entry covers every mutant of that file that turns that line
    into that line, so it must hold for each of them.
    """
    eq, rec = {}, {}
    with open(EQUIVALENT) as f:
        lines = f.read().split("\n") + [""]
    for n, line in enumerate(lines, 1):
        if line.startswith("#"):
            continue
        if not line.strip():
            if rec:
                add_equivalent(eq, rec, n)
            rec = {}
            continue
        key, _, val = line.partition(":")
        rec[key.strip()] = " ".join(val.split())
    return eq


def add_equivalent(eq, rec, n):
    keys = sorted(k for k in rec if k != "near")
    if keys != ["after", "before", "file", "why"] or not rec["why"]:
        sys.exit("mutate: %s: record ending at line %d needs file, before, "
                 "after and why (near optional)" % (EQUIVALENT, n))
    eq[(rec["file"], rec["before"], rec["after"],
        rec.get("near", ""))] = rec["why"]


def file_mutants(path):
    """Every mutant of one file, numbered in source order: id path#n."""
    with open(os.path.join(ROOT, path)) as f:
        return ops.text_mutants(path, f.read())

def selected_files():
    pats = os.environ.get("MUTATE_FILES", DEFAULT_FILES)
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


def build(tree, jobs, verbose=False):
    r = subprocess.run(["cmake", "--build", tree.bld, "-j", str(jobs)],
                       capture_output=True, text=True)
    if verbose and r.returncode != 0:
        sys.stdout.write(r.stdout[-4000:] + r.stderr[-4000:])
    return r.returncode == 0, time.time_ns()


def configure(tree, jobs, sync=True):
    """Configure and build tree from the unmutated copy, list its tests
    and time them; returns the build stamp."""
    if sync:
        os.makedirs(SRC, exist_ok=True)
        sync_copy()
    if not os.path.exists(os.path.join(tree.bld, "CMakeCache.txt")):
        subprocess.run(["cmake", "-S", SRC, "-B", tree.bld] +
                       tree.configure, check=True, capture_output=True)
    ok, stamp = build(tree, jobs, verbose=True)
    if not ok:
        sys.exit("mutate: the unmutated tree does not build in %s" %
                 tree.bld)
    tree.tests = list_tests(tree)
    baseline(tree.tests, jobs)
    return stamp

# ----------------------------------------------------------------- tests


class Test:
    def __init__(self, name, command, cwd, env, sanitize):
        self.name, self.command, self.cwd, self.env = name, command, cwd, env
        self.sanitize = sanitize
        self.base, self.limit, self.kills = 0.0, 600.0, 0
        self.setup, self.requires = set(), set()


def list_tests(tree):
    out = subprocess.run(["ctest", "--test-dir", tree.bld,
                          "--show-only=json-v1"],
                         check=True, capture_output=True, text=True).stdout
    tests = []
    for t in json.loads(out)["tests"]:
        props = {p["name"]: p["value"] for p in t.get("properties", [])}
        if "boot" in props.get("LABELS", []) or props.get("DISABLED"):
            continue
        env = dict(os.environ, **(SANITIZER_ENV if tree.sanitize else {}))
        for kv in props.get("ENVIRONMENT", []):
            k, _, v = kv.partition("=")
            env[k] = v
        tests.append(Test(t["name"], t["command"],
                          props.get("WORKING_DIRECTORY", tree.bld), env,
                          tree.sanitize))
        tests[-1].setup = set(props.get("FIXTURES_SETUP", []))
        tests[-1].requires = set(props.get("FIXTURES_REQUIRED", []))
    only = os.environ.get("MUTATE_TESTS", "")
    if only:
        tests = [t for t in tests if re.search(only, t.name)]
    if not tests:
        sys.exit("mutate: ctest lists no tests%s in %s" %
                 (" matching " + only if only else "", tree.bld))
    return tests


def limit_memory(sanitize):
    """Address-space cap (not under ASan, whose shadow needs terabytes)."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if sanitize:
        return
    mb = int(os.environ.get("MUTATE_MEM_MB", "4096"))
    resource.setrlimit(resource.RLIMIT_AS, (mb << 20, mb << 20))


def start(test, capture):
    """Start one test; its output goes to a scratch file or nowhere."""
    out = tempfile.TemporaryFile("w+") if capture else subprocess.DEVNULL
    p = subprocess.Popen(test.command, cwd=test.cwd, env=test.env,
                         stdout=out, stderr=subprocess.STDOUT,
                         stdin=subprocess.DEVNULL, start_new_session=True,
                         preexec_fn=lambda: limit_memory(test.sanitize))
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


def startable(pending, running):
    """The first pending test whose fixtures (ctest FIXTURES_REQUIRED) are
    set up: no test that sets one up is pending or running, as ctest
    orders them (a setup left half done, e.g. the install prefix, would
    fail the tests after it and kill every later mutant falsely)."""
    busy = set()
    for t in list(pending) + list(running):
        busy |= t.setup
    for i, t in enumerate(pending):
        if not (t.requires & busy):
            return pending.pop(i)
    return None


def run_tests(tests, jobs, first_failure=True, capture=False):
    """Run tests j at a time; returns [(test, verdict, seconds, output)]."""
    pending, running, done = list(tests), {}, []
    while pending or running:
        while pending and len(running) < jobs:
            t = startable(pending, running)
            if t is None:
                break
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


def judge(m, trees, jobs, stamp):
    """Build and test one mutant: (verdict, killing test, build stamp).
    trees[0] is the build every mutant runs in; a mutant that survives
    there runs again in trees[1] (the sanitized build), when given (the
    caller leaves it out for a mutant the registry names)."""
    write_source(m.path, m.apply(original(m.path)), stamp)
    for k, tree in enumerate(trees):
        if k > 0 and not tree.tests:  # first recheck: set that build up
            write_source(m.path, original(m.path), stamp)
            stamp = configure(tree, jobs, sync=False)
            write_source(m.path, m.apply(original(m.path)), stamp)
        ok, stamp = build(tree, jobs)
        if not ok:
            return "invalid", "", stamp
        res = run_tests(order(tree.tests), jobs)
        bad = [(t, v) for t, v, _, _ in res if v != "pass"]
        if bad:
            bad[0][0].kills += 1
            return "killed", "%s%s %s" % ("asan:" if k else "",
                                          bad[0][0].name, bad[0][1]), stamp
    return "survived", "", stamp


def trees_to_run():
    """The build every mutant runs in, then the recheck build, if any."""
    trees = [Tree(SANITIZE)]
    if RECHECK:
        trees.append(Tree(True))
    return trees


def run_sample():
    if os.environ.get("MUTATE_TESTS"):
        sys.exit("mutate: MUTATE_TESTS is for --replay only; a sample runs "
                 "every test")
    ops.self_test(sys.stderr)
    seed, n, jobs = settings()
    picked, total = sample(seed, n)
    t0 = time.monotonic()
    trees = trees_to_run()
    stamp = configure(trees[0], jobs)
    counts = {"killed": 0, "survived": 0, "invalid": 0, "equivalent": 0}
    equivalents = load_equivalents()
    timeouts, rechecked, current = 0, 0, None
    try:
        for k, m in enumerate(picked, 1):
            if current and current != m.path:
                write_source(current, original(current), stamp)
            current = m.path
            why = equivalence(equivalents, m)
            verdict, by, stamp = judge(m, trees if why is None else
                                       trees[:1], jobs, stamp)
            rechecked += by.startswith("asan:")
            verdict = registered(m, verdict, why)
            counts[verdict] += 1
            timeouts += by.endswith("timeout")
            report(k, len(picked), m, verdict, by)
    finally:
        if current:
            write_source(current, original(current), stamp)
    summary(counts, timeouts, rechecked, len(picked), total, seed,
            time.monotonic() - t0)


def registered(m, verdict, why):
    """The verdict with the equivalence registry applied."""
    if why is None:
        return verdict
    if verdict == "survived":
        print("equivalent: %s  [%s]: %s" % (m.describe(), m.id, why),
              flush=True)
        return "equivalent"
    if verdict == "killed":
        print("wrong-entry: %s  [%s] is registered as equivalent but was "
              "killed: fix tools/mutate_equivalent.txt" % (m.describe(),
                                                           m.id), flush=True)
    return verdict


def report(k, n, m, verdict, by):
    sys.stderr.write("mutate: [%d/%d] %s %s%s\n" %
                     (k, n, m.id, verdict, (" by " + by) if by else ""))
    if verdict == "survived":
        print("survived: %s  [%s]" % (m.describe(), m.id), flush=True)


def summary(counts, timeouts, rechecked, n, total, seed, secs):
    killed, survived = counts["killed"], counts["survived"]
    judged = killed + survived
    score = 100.0 * killed / judged if judged else 0.0
    print("mutation: seed=%d sampled=%d of %d invalid=%d equivalent=%d "
          "timeouts=%d (killed) asan-kills=%d (%s) time=%.0fs "
          "(%.1f s per mutant)" %
          (seed, n, total, counts["invalid"], counts["equivalent"], timeouts,
           rechecked, "every mutant sanitized" if SANITIZE else
           "plain-build survivors rechecked" if RECHECK else "no recheck",
           secs, secs / n if n else 0.0))
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
    """One mutant, every test run to the end, failures' output shown; in
    the sanitized build too if it survives the plain one (as a sample)."""
    _, _, jobs = settings()
    m = show(ident)
    os.makedirs(SRC, exist_ok=True)
    sync_copy()
    stamp = 0
    for k, tree in enumerate(trees_to_run()):
        stamp = configure(tree, jobs, sync=False)
        try:
            write_source(m.path, m.apply(original(m.path)), stamp)
            killed, stamp = replay_in(tree, ident, jobs)
        finally:
            write_source(m.path, original(m.path), stamp)
        if killed is not False:
            return
    print("mutate: %s survived" % ident)


def replay_in(tree, ident, jobs):
    """(None if invalid, else whether a test failed, build stamp)."""
    ok, stamp = build(tree, jobs, verbose=True)
    if not ok:
        print("mutate: %s is invalid: it does not compile" % ident)
        return None, stamp
    res = run_tests(tree.tests, jobs, first_failure=False, capture=True)
    for t, verdict, secs, out in sorted(res, key=lambda r: r[0].name):
        print("mutate: %s%-28s %-9s %.2f s" % (
            "asan:" if tree.sanitize else "", t.name, verdict, secs))
        if verdict != "pass":
            print("".join(out.splitlines(True)[-30:]))
    killed = any(v != "pass" for _, v, _, _ in res)
    if killed:
        print("mutate: %s killed%s" % (ident, " (sanitized build)"
                                       if tree.sanitize else ""))
    return killed, stamp


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
        ops.self_test()
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
