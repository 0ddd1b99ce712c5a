#!/usr/bin/env python3
"""The command line against its documentation and its completions.

    tests/docs/run.py --scorer build/scorer --rules rules [--top .]

Fails when an option in a command's --help is missing from scorer(1) or
the other way round (short and long forms together), when a check or a
finding id is missing from scorer(1) or libscorer(3), when the bash or
zsh completion offers other options than --help, when help and man
page disagree on the commands, and when README.md does not list the
packages scripts/install-deps.sh installs (with and without --build).  Prints "ok NAME" or "FAIL NAME: why",
then "N passed, N failed"; exit status 0 only when nothing failed.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys

COMMANDS = ["check", "batch", "report", "diff", "spf", "explain", "corpus"]
CORPUS_SUBS = ["build", "lookup", "info"]
# Commands whose --help ends with the options check and batch share.
WITH_COMMON = {"check", "batch"}
HELP = "-h/--help"

passed = failed = 0


def ok(name):
    global passed
    passed += 1
    print("ok " + name)


def bad(name, why):
    global failed
    failed += 1
    print("FAIL %s: %s" % (name, why))


def expect(name, cond, why):
    if cond:
        ok(name)
    else:
        bad(name, why)


def diff(a, b):
    """What only a has, what only b has, for a message."""
    return "only in help: %s; only in the other: %s" % (
        sorted(a - b) or "-", sorted(b - a) or "-")


def run(argv, **kw):
    return subprocess.run(argv, capture_output=True, text=True, timeout=60,
                          **kw)


# ---- --help ------------------------------------------------------------

# "  -j, --json   ..." or "      --rules DIR   ...": an option line.
HELP_OPT = re.compile(r"^\s{2,}(?:(-[A-Za-z]), )?(--[a-z][a-z0-9-]*)\b(.*)$")


def help_entries(text):
    """{"-j/--json", "--rules", ...} and, per entry, its description."""
    entries, desc = set(), {}
    for line in text.splitlines():
        m = HELP_OPT.match(line)
        if m:
            e = "%s/%s" % (m.group(1), m.group(2)) if m.group(1) \
                else m.group(2)
            entries.add(e)
            desc[e] = m.group(3)
    return entries, desc


def skip_names(text):
    """The check names the --skip line of check --help lists."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if "--skip" in line:
            names = []
            for cont in lines[i + 1:]:
                if not cont.startswith(" " * 30):
                    break
                names += [n.strip() for n in cont.split(",") if n.strip()]
            return names
    return []


# ---- man pages ------------------------------------------------------------

def man_sections(path):
    """{(".SH" or ".SS", title): [lines]} in file order."""
    sections, key = {}, None
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        m = re.match(r'^\.(SH|SS)\s+"?([^"]*)"?\s*$', line)
        if m:
            key = (m.group(1), m.group(2))
            sections[key] = []
            continue
        if key is not None:
            sections[key].append(line)
    return sections


def man_entries(lines):
    """Option entries of the .TP tags of a section, as help_entries."""
    entries = set()
    for i, line in enumerate(lines[:-1]):
        if line.strip() != ".TP":
            continue
        tag = lines[i + 1]
        longs = re.findall(r"\\-\\-([a-z][a-z0-9\\-]*)", tag)
        shorts = re.findall(r"(?<!\\-)\\-([A-Za-z])(?![A-Za-z0-9\\])", tag)
        if not longs:
            continue
        long_ = "--" + longs[0].replace("\\-", "-")
        entries.add("-%s/%s" % (shorts[0], long_) if shorts else long_)
    return entries


def man_tags(lines):
    """The words of ".B word" tags after .TP (the CHECKS list)."""
    return [lines[i + 1].split()[1] for i, l in enumerate(lines[:-1])
            if l.strip() == ".TP" and lines[i + 1].startswith(".B ")]


def plain(lines):
    """Section text with roff escapes and requests reduced to words."""
    text = "\n".join(l for l in lines if not l.startswith(".TP"))
    text = re.sub(r"\\f[BIRP]", "", text)
    text = re.sub(r"^\.[A-Z]+ ?", "", text, flags=re.M)
    return text.replace("\\-", "-").replace("\\e", "\\")


# ---- completions ------------------------------------------------------------

def bash_complete(script, scorer, words):
    """COMPREPLY of the bash completion for `scorer WORDS...` (the last
    word is the one being completed)."""
    quoted = " ".join("'%s'" % w.replace("'", "'\\''") for w in words)
    prog = ('source "$1"; COMP_WORDS=("$2" %s); COMP_CWORD=%d; _scorer; '
            'printf "%%s\\n" "${COMPREPLY[@]}"' % (quoted, len(words)))
    r = run(["bash", "-c", prog, "bash", script, scorer])
    return set(r.stdout.split()) if r.returncode == 0 else {"<error>"}


def zsh_complete(harness, compdir, bindir, line):
    env = dict(os.environ, PATH=bindir + os.pathsep + os.environ["PATH"])
    try:
        r = run(["zsh", "-f", harness, compdir, line], env=env)
    except subprocess.TimeoutExpired:
        return {"<timeout>"}
    return {l[1:-1] for l in r.stdout.split("\n")
            if l.startswith("<") and l.endswith(">")}


def as_words(entries):
    """{"-j/--json"} -> {"-j", "--json"}"""
    return {w for e in entries for w in e.split("/")}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scorer", required=True)
    ap.add_argument("--rules", required=True)
    ap.add_argument("--top", default=os.path.join(os.path.dirname(__file__),
                                                  "..", ".."))
    a = ap.parse_args()
    top = os.path.abspath(a.top)
    scorer = os.path.abspath(a.scorer)
    man1 = man_sections(os.path.join(top, "docs/scorer.1"))
    man3 = man_sections(os.path.join(top, "docs/man3/libscorer.3"))
    bash_script = os.path.join(top, "completions/scorer.bash")
    zsh_script = os.path.join(top, "completions/_scorer")

    # --help of every command, also as `scorer help COMMAND`.
    helps, descs = {}, {}
    for cmd in [None] + COMMANDS:
        argv = [scorer, "--help"] if cmd is None else [scorer, cmd, "--help"]
        r = run(argv)
        name = "help of %s" % (cmd or "scorer")
        if r.returncode != 0 or not r.stdout.startswith("usage: scorer"):
            bad(name, "exit %d, output %r" % (r.returncode, r.stdout[:80]))
            continue
        helps[cmd], descs[cmd] = help_entries(r.stdout)
        long_lines = [l for l in r.stdout.splitlines() if len(l) > 80]
        expect(name + " fits 80 columns", not long_lines,
               "longer lines: %r" % long_lines[:2])
        if cmd is not None:
            h = run([scorer, "help", cmd])
            expect("scorer help %s is %s --help" % (cmd, cmd),
                   h.returncode == 0 and h.stdout == r.stdout,
                   "exit %d, another text" % h.returncode)
            expect("help of %s: -h, --help and an exit status" % cmd,
                   HELP in helps[cmd] and "Exit status:" in r.stdout,
                   "no -h, --help or no 'Exit status:'")
    if failed:
        print("%d passed, %d failed" % (passed, failed))
        return 1

    # The commands: in scorer --help, the man page and the completions.
    r = run([scorer, "--help"])
    listed = re.findall(r"^  ([a-z]+) {2,}", r.stdout, re.M)
    expect("scorer --help lists every command",
           listed == COMMANDS + ["help"], "lists %s" % listed)
    subsections = [k[1] for k in man1 if k[0] == "SS"]
    expect("scorer(1) has a section per command", subsections == COMMANDS,
           "has %s" % subsections)
    synopsis = plain(man1[("SH", "SYNOPSIS")])
    missing = [c for c in COMMANDS + ["help"]
               if "scorer " + c not in synopsis]
    expect("scorer(1) SYNOPSIS names every command", not missing,
           "not there: %s" % missing)
    exit_text = plain(man1[("SH", "EXIT STATUS")])
    missing = [c for c in COMMANDS + ["help"] if c not in exit_text]
    expect("scorer(1) EXIT STATUS covers every command", not missing,
           "not there: %s" % missing)

    # Options: each command's --help against its man section (plus the
    # common options for check and batch); scorer --help against OPTIONS.
    common = man_entries(man1[("SH", "COMMON OPTIONS")])
    expect("scorer --help options are in OPTIONS",
           helps[None] == man_entries(man1[("SH", "OPTIONS")]),
           diff(helps[None], man_entries(man1[("SH", "OPTIONS")])))
    for cmd in COMMANDS:
        documented = man_entries(man1[("SS", cmd)]) | {HELP}
        if cmd in WITH_COMMON:
            documented |= common
        expect("%s --help and scorer(1) list the same options" % cmd,
               helps[cmd] == documented, diff(helps[cmd], documented))
    used = set().union(*(helps[c] for c in WITH_COMMON))
    expect("every common option of scorer(1) is in check and batch --help",
           common <= helps["check"] and common <= helps["batch"],
           diff(used, common))

    # Checks and finding ids: scorer(1) and libscorer(3) name them all.
    # "domain" and "resolver" cannot be skipped, so --skip does not list them.
    checks = ["domain", "resolver"] + skip_names(
        run([scorer, "check", "--help"]).stdout)
    r = run([scorer, "explain", "--list", "--rules", a.rules])
    ids = [l.split()[0] for l in r.stdout.splitlines() if l.strip()]
    expect("checks and finding ids read", len(checks) > 10 and len(ids) > 30,
           "%d checks, %d ids" % (len(checks), len(ids)))
    prefixes = {i.split(".")[0] for i in ids}
    for page, secs in (("scorer(1)", man1), ("libscorer(3)", man3)):
        lines = secs.get(("SH", "CHECKS"), [])
        tags = man_tags(lines)
        expect("%s CHECKS names every check" % page,
               sorted(tags) == sorted(checks),
               "man: %s, library: %s" % (sorted(tags), sorted(checks)))
        text = plain(lines)
        named = set(re.findall(r"\b([a-z_]+\.[a-z_]+)\b", text))
        named = {n for n in named if n.split(".")[0] in prefixes}
        expect("%s CHECKS names every finding id" % page,
               named == set(ids), diff(set(ids), named))

    # scorer report's table of domains to fix says where each finding is
    # fixed (scorer/tool/tool_report_fix.c): every id has a place, by
    # its own name or by a prefix ending in '.'.
    with open(os.path.join(top, "scorer/tool/tool_report_fix.c")) as f:
        places = re.findall(r'^\t\{ "([a-z_.]+)",', f.read(), re.M)
    unplaced = [i for i in ids
                if not any(i == p or (p.endswith(".") and i.startswith(p))
                           for p in places)]
    expect("scorer report names where every finding is fixed",
           places and not unplaced, "no place for %s" % unplaced)

    # bash completion: the options of each --help, the commands, the
    # check names and the finding ids.
    if shutil.which("bash"):
        got = bash_complete(bash_script, scorer, [""])
        want = set(COMMANDS + ["help"]) | as_words(helps[None])
        expect("bash: scorer <TAB>", got == want, diff(want, got))
        for cmd in COMMANDS:
            if cmd == "corpus":
                continue  # its options are its subcommands'
            got = bash_complete(bash_script, scorer, [cmd, "-"])
            want = as_words(helps[cmd])
            expect("bash: scorer %s -<TAB>" % cmd, got == want,
                   diff(want, got))
        union = set()
        for sub in CORPUS_SUBS:
            got = bash_complete(bash_script, scorer, ["corpus", sub, "-"])
            union |= got
            # corpus --help says "build: ..." for each sub's option
            want = as_words({e for e, d in descs["corpus"].items()
                             if re.search(r"\s%s:" % sub, d)} | {HELP})
            expect("bash: scorer corpus %s -<TAB>" % sub, got == want,
                   diff(want, got))
        want = as_words(helps["corpus"])
        expect("bash: corpus subcommands cover corpus --help", union == want,
               diff(want, union))
        got = bash_complete(bash_script, scorer, ["check", "--skip", ""])
        expect("bash: --skip <TAB> offers the checks",
               got == set(checks) - {"domain", "resolver"},
               diff(set(checks) - {"domain", "resolver"}, got))
        got = bash_complete(bash_script, scorer,
                            ["explain", "--rules", a.rules, ""])
        expect("bash: explain <TAB> offers the finding ids",
               got == set(ids), diff(set(ids), got))
    else:
        print("skip: bash not installed")

    # zsh: the syntax, and the same completions through a real zsh.
    if shutil.which("zsh"):
        r = run(["zsh", "-n", zsh_script])
        expect("zsh: _scorer parses", r.returncode == 0, r.stderr.strip())
        harness = os.path.join(top, "tests/docs/zsh-complete.zsh")
        compdir = os.path.dirname(zsh_script)
        bindir = os.path.dirname(scorer)

        def zsh(line):
            return zsh_complete(harness, compdir, bindir, line)
        got = zsh("scorer ")
        want = set(COMMANDS + ["help"])
        expect("zsh: scorer <TAB>", got == want, diff(want, got))
        for cmd in COMMANDS:
            got = zsh("scorer %s -" % cmd)
            if cmd == "corpus":
                got = set().union(*(zsh("scorer corpus %s -" % s)
                                    for s in CORPUS_SUBS))
            want = as_words(helps[cmd])
            expect("zsh: scorer %s -<TAB>" % cmd, got == want,
                   diff(want, got))
        got = zsh("scorer check --skip ")
        expect("zsh: --skip <TAB> offers the checks",
               got == set(checks) - {"domain", "resolver"},
               diff(set(checks) - {"domain", "resolver"}, got))
        got = zsh("scorer explain --rules %s " % a.rules)
        expect("zsh: explain <TAB> offers the finding ids",
               got == set(ids), diff(set(ids), got))
    else:
        print("skip: zsh not installed (scripts/install-deps.sh)")

    # README lists what scripts/install-deps.sh installs, both sets.
    deps = os.path.join(top, "scripts/install-deps.sh")
    build = set(run([deps, "--list", "--build"]).stdout.split())
    every = set(run([deps, "--list"]).stdout.split())
    readme = open(os.path.join(top, "README.md"), encoding="utf-8").read()
    m = re.search(r"\*\*to build\*\*:(.*?)\*\*to test, on top\*\*[^:]*:"
                  r"(.*?)\n\n", readme, re.S)
    if m is None:
        bad("README lists the packages", "no 'to build' / 'to test' list")
    else:
        def names(t):
            return set(re.findall(r"[a-z0-9][a-z0-9.+-]*[a-z0-9]",
                                  t.replace("\n", " ")))
        expect("README lists install-deps.sh --build",
               names(m.group(1)) == build, diff(build, names(m.group(1))))
        expect("README lists install-deps.sh (tests)",
               names(m.group(2)) == every - build,
               diff(every - build, names(m.group(2))))

    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
