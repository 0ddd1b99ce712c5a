#!/usr/bin/env python3
"""Checks on a page of `scorer report`, for tests/e2e/report.sh.

    report-check.py page   FILE.html [NAME=VALUE]...   the page as written
    report-check.py dom    FILE.html [NAME=VALUE]...   the DOM Chromium
                                                       dumped after scripts
Expectations (NAME=VALUE):
    records, secure, insecure, error, bad, more   numbers on the page
    rows          rows in the records table
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

    for k in ("records", "secure", "insecure", "error", "bad", "more"):
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
        sec = root.by_id("findings")
        code = [c for c in sec.find_all("code")
                if c.attrs.get("class") == "fid"] if sec else []
        got = code[0].text() if code else None
        check(f"{p}top-finding", got == want["top_finding"],
              f"first finding is {got!r}")
    if "top_domain" in want:
        sec = root.by_id("domains")
        trs = sec.find_all("tr")[1:] if sec else []
        cells = [td.text() for td in trs[0].find_all("td")] if trs else []
        ok = cells[1:2] == [want["top_domain"]]
        if ok and "top_domain_insecure" in want:
            ok = cells[3] == want["top_domain_insecure"]
        check(f"{p}top-domain", ok, f"first domain row is {cells}")

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
