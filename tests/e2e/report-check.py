#!/usr/bin/env python3
"""Checks on a page of `scorer report`, for tests/e2e/report.sh.

    report-check.py page   FILE.html [NAME=VALUE]...   the page as written
    report-check.py dom    FILE.html [NAME=VALUE]...   the DOM Chromium
                                                       dumped after scripts
Expectations (NAME=VALUE):
    records, secure, insecure, error, invalid, bad, more
                  numbers on the page (error: could not be assessed)
    rows          rows in the records table
    jsonl         the results file the page was made from: every count,
                  the order of the findings (severity, then users; takeover
                  and interception apart from hygiene) and of the domains
                  to fix (insecure users) are computed from it here and
                  compared with the page
    rules         the rules directory (categories, for jsonl=)
    summary       the --summary JSON of the batch run: the same numbers
    addresses     hidden: no address of the jsonl= records appears in the
                  page (text or attribute); shown: they do (the rows)
    visible       rows the script left visible (a #q= filter)
    top_finding   id of the first finding;  top_domain  first domain
    top_domain_insecure   its insecure count
    text          a string that must appear as text (repeatable)
    max_bytes     largest size of the file
    pruned        1: the domain table says it was cut
    label         the prefix of the check names (default: the mode)

Prints "ok NAME" or "FAIL NAME: why" per check; report.sh counts them.
Only the standard library: html.parser builds a small tree, enough to
count elements and attributes and read text by id.
"""
import html.parser
import json
import os
import re
import sys

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
        "meta", "source", "track", "wbr"}
# Attributes that make a request or run code: none may appear.
URL_ATTRS = {"src", "href", "action", "formaction", "srcset", "poster",
             "background", "data", "xlink:href", "ping", "manifest"}


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent = tag, dict(attrs), parent
        self.children = []
        self.raw_attrs = attrs

    def text(self):
        out = []
        for c in self.children:
            out.append(c if isinstance(c, str) else c.text())
        return "".join(out)

    def walk(self):
        yield self
        for c in self.children:
            if isinstance(c, Node):
                yield from c.walk()

    def find_all(self, tag):
        return [n for n in self.walk() if n.tag == tag]

    def by_id(self, ident):
        for n in self.walk():
            if n.attrs.get("id") == ident:
                return n
        return None


class Tree(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", [], None)
        self.cur = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.cur)
        self.cur.children.append(node)
        if tag not in VOID:
            self.cur = node

    def handle_startendtag(self, tag, attrs):
        self.cur.children.append(Node(tag, attrs, self.cur))

    def handle_endtag(self, tag):
        n = self.cur
        while n is not None and n.tag != tag:
            n = n.parent
        if n is not None and n.parent is not None:
            self.cur = n.parent

    def handle_data(self, data):
        self.cur.children.append(data)


results = []


def check(name, ok, why=""):
    results.append(f"ok {name}" if ok else f"FAIL {name}: {why}")


def num(node):
    return int(re.sub(r"[^0-9]", "", node.text()) or -1) if node else None


def records(path):
    """The records of a results file, as scorer report counts them."""
    out = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if not line.strip():
                continue
            try:
                o = json.loads(line)
            except ValueError:
                continue
            if isinstance(o, dict) and o.get("verdict") in (
                    "secure", "insecure", "error"):
                out.append(o)
    return out


def categories(rules):
    cat, cur = {}, None
    with open(os.path.join(rules, "findings.ini"), encoding="utf-8") as f:
        for line in f:
            m = re.match(r"\[([^\]]+)\]", line)
            if m:
                cur = m.group(1)
            m = re.match(r"category\s*=\s*(\w+)", line)
            if m and cur:
                cat[cur] = m.group(1)
    return cat


SEV = ["critical", "high", "medium", "low", "info"]


def klass(r):
    fs = r.get("findings") or []
    if r["verdict"] == "error" and not isinstance(r.get("address"), str):
        return "invalid"
    if any(isinstance(f, dict) and f.get("id") == "address.invalid"
           for f in fs):
        return "invalid"
    return r["verdict"]


def finding_rows(root, table_id):
    """[(id, users)] of a findings table, in page order."""
    t = root.by_id(table_id)
    out = []
    for tr in (t.find_all("tr")[1:] if t else []):
        fid = [c for c in tr.find_all("code") if c.attrs.get("class") == "fid"]
        users = [td for td in tr.find_all("td")
                 if "users" in td.attrs.get("class", "").split()]
        if fid and users:
            out.append((fid[0].text(), int(re.sub(r"[^0-9]", "",
                        users[0].children[0] if users[0].children and
                        isinstance(users[0].children[0], str)
                        else users[0].text()) or -1)))
    return out


def domain_rows(root):
    """[(domain, insecure users)] of the domains to fix, in page order."""
    t = root.by_id("fix")
    out = []
    for tr in (t.find_all("tr")[1:] if t else []):
        tds = tr.find_all("td")
        code = tds[1].find_all("code") if len(tds) > 1 else []
        aff = [td for td in tds if "affected" in td.attrs.get("class", "")]
        if code and aff:
            out.append((code[0].text(), num(aff[0])))
    return out


def against_results(p, root, want):
    recs = records(want["jsonl"])
    cat = categories(want["rules"]) if "rules" in want else {}
    n = {"secure": 0, "insecure": 0, "error": 0, "invalid": 0}
    users, sev, unv = {}, {}, {}
    dom = {}
    for r in recs:
        k = klass(r)
        n[k] += 1
        if k == "invalid":
            continue
        ids = []
        for f in r.get("findings") or []:
            if isinstance(f, dict) and isinstance(f.get("id"), str) and \
                    f["id"] not in ids:
                ids.append(f["id"])
                sev.setdefault(f["id"], f.get("severity"))
                unv.setdefault(f["id"], f.get("unverified") is True)
        for i in ids:
            users[i] = users.get(i, 0) + 1
        d = r.get("domain")
        if isinstance(d, str) and d and k == "insecure":
            dom[d] = dom.get(d, 0) + 1
    for k, v in n.items():
        got = num(root.by_id("n-" + k))
        check(f"{p}results-{k}", got == v, f"page {got}, results {v}")
    check(f"{p}results-records", num(root.by_id("n-records")) == len(recs),
          f"page {num(root.by_id('n-records'))}, results {len(recs)}")

    def rank(i):
        s = sev.get(i)
        return SEV.index(s) if s in SEV else 5

    def group(i):
        if unv[i]:
            return "unverified"
        if rank(i) > 1:
            return "hygiene-table"
        return "interception" if cat.get(i) == "interception" else "takeover"
    for g in ("takeover", "interception", "hygiene-table", "unverified"):
        ids = sorted((i for i in users if group(i) == g),
                     key=lambda i: (rank(i), -users[i], i))
        exp = [(i, users[i]) for i in ids]
        got = finding_rows(root, g)
        check(f"{p}order-{g}", got == exp,
              f"page {got[:6]}, results {exp[:6]}")
    # The risks come before hygiene, and the domains to fix before both
    # the hygiene and the table of users.
    order = [n.attrs.get("id") for n in root.walk()
             if n.tag == "section"]
    check(f"{p}sections", order.index("risk") < order.index("domains") <
          order.index("hygiene") < order.index("unassessed") <
          order.index("table"), f"sections {order}")
    got = domain_rows(root)
    exp = sorted(dom.items(), key=lambda t: -t[1])
    ok = [g[1] for g in got] == [e[1] for e in exp][:len(got)] and \
        all(dom.get(d) == u for d, u in got) and \
        len(got) == min(len(exp), 50)
    check(f"{p}domains-to-fix", ok, f"page {got[:5]}, results {exp[:5]}")


def against_summary(p, root, path):
    with open(path, encoding="utf-8") as f:
        s = json.load(f)
    u = s["users"]
    got = {k: num(root.by_id("n-" + k)) for k in
           ("secure", "insecure", "error", "invalid")}
    exp = {"secure": u["secure"], "insecure": u["insecure"],
           "error": u["unassessed"], "invalid": u["invalid"]}
    check(f"{p}summary-counts", got == exp, f"page {got}, summary {exp}")
    page = {}
    for g in ("takeover", "interception", "hygiene-table", "unverified"):
        page.update(dict(finding_rows(root, g)))
    summ = {f["id"]: f["users"] for f in s["top_findings"] + s["unverified"]}
    bad = {i: (page.get(i), v) for i, v in summ.items() if page.get(i) != v}
    check(f"{p}summary-findings", summ and not bad,
          f"page vs summary differ: {bad}")


def main():
    mode, path = sys.argv[1], sys.argv[2]
    want, texts = {}, []
    for arg in sys.argv[3:]:
        k, v = arg.split("=", 1)
        if k == "text":
            texts.append(v)
        else:
            want[k] = v
    with open(path, encoding="utf-8") as f:
        src = f.read()
    tree = Tree()
    tree.feed(src)
    tree.close()
    root = tree.root
    p = want.get("label", mode) + ":"

    for k in ("records", "secure", "insecure", "error", "invalid", "bad",
              "more"):
        if k in want:
            got = num(root.by_id("n-" + k))
            check(f"{p}count-{k}", got == int(want[k]),
                  f"page says {got}, input has {want[k]}")

    svgs = root.find_all("svg")
    verdicts, grades = root.by_id("chart-verdicts"), root.by_id("chart-grades")
    check(f"{p}charts", verdicts is not None and grades is not None and
          verdicts.tag == "svg" and grades.tag == "svg" and
          len(grades.find_all("rect")) >= 6 and
          len([c for c in verdicts.find_all("circle")
               if "seg" in c.attrs.get("class", "")]) >=
          (1 if want.get("records", "1") != "0" else 0),
          f"{len(svgs)} svg elements, charts incomplete")

    if "top_finding" in want:
        rows_ = finding_rows(root, "takeover")
        got = rows_[0][0] if rows_ else None
        check(f"{p}top-finding", got == want["top_finding"],
              f"first finding is {got!r}")
    if "top_domain" in want:
        fix = domain_rows(root)
        got = fix[0] if fix else None
        ok = got is not None and got[0] == want["top_domain"]
        if ok and "top_domain_insecure" in want:
            ok = got[1] == int(want["top_domain_insecure"])
        check(f"{p}top-domain", ok, f"first domain row is {got}")
    if "jsonl" in want:
        against_results(p, root, want)
    if "summary" in want:
        against_summary(p, root, want["summary"])
    if want.get("addresses") in ("hidden", "shown") and "jsonl" in want:
        addrs = {r["address"] for r in records(want["jsonl"])
                 if isinstance(r.get("address"), str) and
                 len(r["address"]) >= 5}
        attrs = " ".join(v or "" for n in root.walk() for _, v in n.raw_attrs)
        seen = sorted(a for a in addrs if a in root.text() or a in attrs)
        if want["addresses"] == "hidden":
            check(f"{p}no-addresses", not seen and addrs,
                  f"{len(seen)} addresses in the page: {seen[:3]}")
            priv = root.by_id("privacy")
            check(f"{p}privacy-note", priv is not None and
                  "--show-addresses" in priv.text(), "no note")
        else:
            shown = [a for a in addrs if a in root.text()]
            check(f"{p}addresses-shown", shown, "no address in the page")

    body = root.by_id("records")
    rows = body.find_all("tr")[1:] if body else []
    if "rows" in want:
        check(f"{p}table-rows", len(rows) == int(want["rows"]),
              f"{len(rows)} rows")
    if "visible" in want:
        vis = [r for r in rows if "hidden" not in r.attrs]
        shown = root.by_id("shown")
        check(f"{p}search-filter", len(vis) == int(want["visible"]) and
              shown is not None and shown.text().startswith(
                  f"{want['visible']} of {len(rows)} "),
              f"{len(vis)} rows visible, counter "
              f"{shown.text() if shown else None!r}")
    q = root.by_id("q")
    check(f"{p}search-box", q is not None and q.tag == "input" and
          q.attrs.get("type") == "search" and root.by_id("vf") is not None,
          "no search input")

    # Hostile text is text: present in the text, and no element, handler
    # or link came out of it.
    alltext = root.text()
    for t in texts:
        check(f"{p}as-text {t[:40]}", t in alltext, "not in the page's text")
    scripts = root.find_all("script")
    check(f"{p}one-script", len(scripts) == 1,
          f"{len(scripts)} script elements")
    bad_tags = [n.tag for n in root.walk() if n.tag in
                ("img", "iframe", "object", "embed", "link", "a", "b",
                 "textarea", "frame", "base", "form", "audio", "video")]
    check(f"{p}no-injected-elements", not bad_tags, f"found {bad_tags}")
    handlers = [(n.tag, a) for n in root.walk() for a, _ in n.raw_attrs
                if a.lower().startswith("on")]
    check(f"{p}no-handlers", not handlers, f"found {handlers}")
    urls = [(n.tag, a, v) for n in root.walk() for a, v in n.raw_attrs
            if a.lower() in URL_ATTRS or re.search(r"(?i)(https?|javascript)"
                                                   r":", v or "")]
    check(f"{p}no-links", not urls, f"found {urls[:3]}")

    if mode == "page":
        # Self-contained: nothing to fetch in the style sheet or script,
        # and a policy that forbids fetching anyway.
        code = "".join(n.text() for n in root.walk()
                       if n.tag in ("style", "script"))
        check(f"{p}no-fetch-in-code", not re.search(
            r"(?i)url\(|@import|https?:|fetch\(|XMLHttpRequest", code),
            "style or script refers to something outside")
        csp = [m.attrs.get("content", "") for m in root.find_all("meta")
               if m.attrs.get("http-equiv", "").lower() ==
               "content-security-policy"]
        check(f"{p}csp", len(csp) == 1 and "default-src 'none'" in csp[0],
              f"policy {csp}")
        if "max_bytes" in want:
            size = os.path.getsize(path)
            check(f"{p}size", size <= int(want["max_bytes"]),
                  f"{size} bytes")
        if want.get("pruned") == "1":
            sec = root.by_id("domains")
            check(f"{p}pruned-note",
                  sec is not None and "lower bounds" in sec.text(),
                  "no note that the domain table was cut")
    print("\n".join(results))


if __name__ == "__main__":
    main()
