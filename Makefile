# scorer: one non-recursive Makefile.
#
#   make                 build/libscorer.a, build/libscorer.so, build/scorer
#   make check           unit tests (Check), then end-to-end tests on the lab
#   make check SAN=1     the same, built with AddressSanitizer + UBSan
#   make demo            the demo world: a lab DNS, sample addresses, verdicts
#   make install PREFIX=/usr/local [DESTDIR=...]  (no rebuild needed: the
#                        installed scorer and library find their rules
#                        from where they are, scorer/rules_dir.c)

PREFIX   ?= /usr/local
LIBDIR   ?= $(PREFIX)/lib
INCDIR   ?= $(PREFIX)/include
BINDIR   ?= $(PREFIX)/bin
DATADIR  ?= $(PREFIX)/share/scorer
MANDIR   ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/site-functions
CC       ?= cc
PKG_CONFIG ?= pkg-config

SOVERSION = 1
VERSION   = 0.2.0

PKGS     = libcares openssl libcurl libpsl libidn2 inih jansson
TOOL_LIBS = -lcsv
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS))
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(PKGS))
# The library and the CLI load libcurl at their first fetch (dlopen,
# scorer/http.c), so they are not linked with it: its dependencies cost
# milliseconds at every process start.  Tests link it (they call it).
RUN_LIBS   := $(shell $(PKG_CONFIG) --libs $(filter-out libcurl,$(PKGS)))
# Only the tests need these (scripts/install-deps.sh without --build):
# asked for when a test is built, so a plain `make` does without them.
TEST_PKGS = check libxml-2.0
CHECK_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(TEST_PKGS))
CHECK_LIBS   = $(shell $(PKG_CONFIG) --libs $(TEST_PKGS))

ifeq ($(SAN),1)
BUILD    ?= build-san
SANFLAGS  = -fsanitize=address,undefined -fno-omit-frame-pointer \
            -fno-sanitize-recover=undefined
else
BUILD    ?= build
SANFLAGS  =
endif

CFLAGS   ?= -O2 -g
WARN      = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
# The library sees its own headers (scorer/, scorer/checks/); the command
# line tool sees include/ alone (TOOLFLAGS), so the compiler keeps it to
# the public API (docs/architecture.md, tests/arch/run.sh).
STDFLAGS  = -std=c99 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
            -Iinclude $(WARN) $(SANFLAGS)
BASEFLAGS = $(STDFLAGS) -Iscorer -Iscorer/checks \
            -DSC_DEFAULT_RULES_DIR='"$(DATADIR)/rules"'
LIBFLAGS  = $(BASEFLAGS) -DSC_BUILDING_LIBRARY -fPIC -fvisibility=hidden \
            $(PKG_CFLAGS)
TOOLFLAGS = $(STDFLAGS) $(PKG_CFLAGS)
LIB_HDR   = $(wildcard scorer/*.h scorer/checks/*.h) include/scorer.h
ALL_LDFLAGS = $(SANFLAGS) $(LDFLAGS)

LIB_SRC  = $(wildcard scorer/*.c scorer/checks/*.c)
TOOL_SRC = $(wildcard scorer/tool/*.c)
TEST_SRC = $(wildcard tests/check_*.c)
FIXT_SRC = $(wildcard tests/lab/fixtures/*.c)

LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
TOOL_OBJ = $(TOOL_SRC:%.c=$(BUILD)/obj/%.o)
TEST_OBJ = $(TEST_SRC:%.c=$(BUILD)/obj/%.o)
FIXT_BIN = $(FIXT_SRC:tests/lab/fixtures/%.c=$(BUILD)/fixtures/%)

# The domain lists of rules/, and their compiled indexes beside them
# (NAME.idx, mapped at load time instead of parsing the text; a stale one
# is detected and ignored: docs/lists.md).
LISTS    = rules/disposable.txt rules/providers.txt
LIST_IDX = $(LISTS:.txt=.idx)
LISTC    = $(BUILD)/compile_list

STATIC   = $(BUILD)/libscorer.a
SHARED   = $(BUILD)/libscorer.so.$(VERSION)
CLI      = $(BUILD)/scorer
TESTBIN  = $(BUILD)/check_scorer

# The published suites the tests read, copied into the tree with their
# source and licence (tests/conformance/data/*/SOURCE.md).
CONFORMANCE_DIR ?= $(CURDIR)/tests/conformance/data
export CONFORMANCE_DIR

.PHONY: bench bench-check valgrind
.PHONY: all check unit e2e installcheck demo install uninstall clean \
        examples examplecheck threadcheck abicheck docscheck archcheck \
        conformance \
        fixtures
all: $(STATIC) $(SHARED) $(CLI) $(LIST_IDX)

$(BUILD)/obj/scorer/%.o: scorer/%.c $(LIB_HDR)
	@mkdir -p $(@D)
	$(CC) $(LIBFLAGS) $(CFLAGS) -MMD -c -o $@ $<

$(BUILD)/obj/scorer/tool/%.o: scorer/tool/%.c $(wildcard scorer/tool/*.h) \
                              include/scorer.h
	@mkdir -p $(@D)
	$(CC) $(TOOLFLAGS) $(CFLAGS) -MMD -c -o $@ $<

# Where the installed library and program find the rules: DATADIR/rules
# relative to LIBDIR and to BINDIR (scorer/rules_dir.c).  Those paths are
# the same for any PREFIX, so `make install PREFIX=...` after a plain
# `make` needs no rebuild; a LIBDIR, BINDIR or DATADIR that changes them
# rewrites the stamp, and rules_dir.o is built again.
RULES_FROM_LIBDIR := $(shell realpath -m --relative-to=$(LIBDIR) $(DATADIR)/rules)
RULES_FROM_BINDIR := $(shell realpath -m --relative-to=$(BINDIR) $(DATADIR)/rules)
RULES_PATHS = -DSC_RULES_FROM_LIBDIR='"$(RULES_FROM_LIBDIR)"' \
              -DSC_RULES_FROM_BINDIR='"$(RULES_FROM_BINDIR)"'
$(BUILD)/rules-paths: FORCE
	@mkdir -p $(@D)
	@echo '$(RULES_FROM_LIBDIR) $(RULES_FROM_BINDIR)' > $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
$(BUILD)/obj/scorer/rules_dir.o: LIBFLAGS += $(RULES_PATHS)
$(BUILD)/obj/scorer/rules_dir.o: $(BUILD)/rules-paths
.PHONY: FORCE
FORCE:

$(STATIC): $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(SHARED): $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,libscorer.so.$(SOVERSION) -o $@ $^ \
	    $(ALL_LDFLAGS) $(RUN_LIBS)
	ln -sf libscorer.so.$(VERSION) $(BUILD)/libscorer.so.$(SOVERSION)
	ln -sf libscorer.so.$(SOVERSION) $(BUILD)/libscorer.so

# The CLI links the static library: it uses only scorer.h.
$(CLI): $(TOOL_OBJ) $(STATIC)
	$(CC) -o $@ $(TOOL_OBJ) $(STATIC) $(ALL_LDFLAGS) $(RUN_LIBS) $(TOOL_LIBS)

$(LISTC): scripts/compile_list.c $(STATIC)
	$(CC) $(BASEFLAGS) $(PKG_CFLAGS) $(CFLAGS) -o $@ $< $(STATIC) \
	    $(ALL_LDFLAGS) $(RUN_LIBS)

# Rebuilt when the text changes; written whole, then renamed.
rules/%.idx: rules/%.txt $(LISTC)
	$(LISTC) $< $@

# Tests see the internals through the static library.
$(BUILD)/suites.h: $(TEST_SRC)
	@mkdir -p $(@D)
	sed -n 's/^\(Suite \*[a-z0-9_]*_suite\)(void)$$/\1/p' $(TEST_SRC) \
	    | sed 's/^Suite \*\(.*\)$$/SUITE(\1)/' > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/tests/%.o: tests/%.c $(BUILD)/suites.h $(LIB_HDR) \
                    $(wildcard tests/*.h) include/scorer.h
	@mkdir -p $(@D)
	$(CC) $(BASEFLAGS) -Wno-missing-prototypes -I$(BUILD) -Itests \
	    $(PKG_CFLAGS) $(CHECK_CFLAGS) \
	    $(CFLAGS) -c -o $@ $<

$(TESTBIN): $(TEST_OBJ) $(STATIC)
	$(CC) -o $@ $(TEST_OBJ) $(STATIC) $(ALL_LDFLAGS) $(PKG_LIBS) \
	    $(CHECK_LIBS) -lpthread

$(BUILD)/fixtures/%: tests/lab/fixtures/%.c $(wildcard tests/lab/fixtures/*.h)
	@mkdir -p $(@D)
	$(CC) $(BASEFLAGS) $(CFLAGS) -o $@ $< $(ALL_LDFLAGS) -lssl -lcrypto

fixtures: $(FIXT_BIN)

unit: $(TESTBIN)
	SC_RULES_DIR=$(CURDIR)/rules SC_TESTDATA=$(CURDIR)/tests/data \
	    $(TESTBIN)

e2e: $(CLI) $(FIXT_BIN)
	SCORER=$(CURDIR)/$(CLI) BUILD=$(CURDIR)/$(BUILD) \
	    tests/e2e/run.sh
	SCORER=$(CURDIR)/$(CLI) tests/e2e/batch.sh
	SCORER=$(CURDIR)/$(CLI) tests/e2e/report.sh
	SCORER=$(CURDIR)/$(CLI) tests/e2e/diff.sh
	SCORER=$(CURDIR)/$(CLI) tests/e2e/dask.sh
	SCORER=$(CURDIR)/$(CLI) tests/e2e/hostile.sh
	SCORER=$(CURDIR)/$(CLI) tests/e2e/files.sh
	SCORER=$(CURDIR)/$(CLI) tests/e2e/invariants.sh

# SPF conformance suites through the real CLI and the lab (Knot); the
# RFC 7208 suite decides the exit status, the other two are informational
# ("+" prefix).  tests/conformance/spf.py needs Debian's python3-yaml.
PYTHON3 ?= /usr/bin/python3
conformance: $(CLI)
	$(PYTHON3) tests/conformance/spf.py --scorer $(CURDIR)/$(CLI) \
	    --rules $(CURDIR)/rules --lab $(CURDIR)/tests/lab/lab.sh \
	    +rfc4408=$(CONFORMANCE_DIR)/spf-rfc4408/rfc4408-tests.yml \
	    '+stalwart=$(CONFORMANCE_DIR)/spf-stalwart-mail-auth/*.yml' \
	    rfc7208=$(CONFORMANCE_DIR)/spf-rfc7208/rfc7208-tests.yml

installcheck: all
	BUILD=$(BUILD) tests/install/run.sh

# Every option of every --help in scorer(1) and the other way round, the
# checks and finding ids in scorer(1) and libscorer(3), and the bash and
# zsh completions against --help (zsh driven on a pty when installed).
docscheck: $(CLI)
	$(PYTHON3) tests/docs/run.py --scorer $(CURDIR)/$(CLI) \
	    --rules $(CURDIR)/rules

# examples/ built as an outsider would: against a staged install, with
# pkg-config alone (examples/Makefile).  The libuv one needs libuv1-dev.
examples: all
	$(MAKE) -s install PREFIX=$(CURDIR)/$(BUILD)/stage
	env -u MAKEFLAGS -u MFLAGS \
	    PKG_CONFIG_PATH=$(CURDIR)/$(BUILD)/stage/lib/pkgconfig \
	    $(MAKE) -C examples O=$(CURDIR)/$(BUILD)/examples

examplecheck: all
	BUILD=$(BUILD) tests/examples/run.sh

abicheck: all
	BUILD=$(BUILD) tests/abi/run.sh

# The library's sources and the thread test in one ThreadSanitizer
# binary: TSan cannot share objects with the plain or the ASan build.
TSAN_BIN = $(BUILD)/tsan/threads
$(TSAN_BIN): $(LIB_SRC) tests/threads/threads.c $(LIB_HDR) \
             include/scorer.h
	@mkdir -p $(@D)
	$(CC) $(BASEFLAGS) -fsanitize=thread -g -O1 $(PKG_CFLAGS) -o $@ \
	    $(LIB_SRC) tests/threads/threads.c $(PKG_LIBS) -lpthread

threadcheck: $(TSAN_BIN)
	TSAN_BIN=$(CURDIR)/$(TSAN_BIN) tests/threads/run.sh

# The install test links a program against the shared library, which an
# ASan build cannot do without the sanitizer runtime: plain builds only
# (so do the ABI and example tests; TSan cannot be mixed with ASan).
check: all unit conformance e2e docscheck archcheck \
       $(if $(filter 1,$(SAN)),,installcheck abicheck examplecheck threadcheck)

# The layers (docs/architecture.md): scorer/tool/ sees the public API
# alone, the core names no check, every check is in the registry.
archcheck: all
	BUILD=$(BUILD) tests/arch/run.sh

# The breach corpus benchmark (bench/): figures printed, not asserted; not
# part of `make check`.  BENCH_N hashes (20 million) in $(BUILD)/bench.
BENCH_N ?= 20000000
bench: $(STATIC)
	@mkdir -p $(BUILD)/bench
	$(CC) $(BASEFLAGS) $(CFLAGS) -o $(BUILD)/bench/gencorpus bench/gencorpus.c
	$(CC) $(BASEFLAGS) $(PKG_CFLAGS) $(CFLAGS) -o $(BUILD)/bench/corpus_bench \
	    bench/corpus_bench.c $(STATIC) $(ALL_LDFLAGS) $(PKG_LIBS)
	test -s $(BUILD)/bench/corpus.txt || \
	    $(BUILD)/bench/gencorpus $(BENCH_N) $(BUILD)/bench/corpus.txt
	$(BUILD)/bench/corpus_bench $(BUILD)/bench

# The batch benchmark (bench/batch_bench.sh, docs/bench.md): scorer batch
# on a Knot lab of 10,000 generated domains against dnsperf's limit, then
# 100,000 and 1,000,000 addresses.  Figures printed, not asserted; takes
# minutes.  Needs dnsperf (apt-get install dnsperf), which CI does not.
.PHONY: bench-batch
bench-batch: $(CLI) $(LIST_IDX) $(BUILD)/bench/startup
	SCORER=$(CURDIR)/$(CLI) RULES=$(CURDIR)/rules \
	    STARTUP=$(CURDIR)/$(BUILD)/bench/startup \
	    BENCH_DIR=$(CURDIR)/$(BUILD)/bench/batch bench/batch_bench.sh

# sc_ctx_new() + the first check, timed inside a program (bench-batch).
$(BUILD)/bench/startup: bench/startup.c $(STATIC)
	@mkdir -p $(@D)
	$(CC) $(STDFLAGS) $(CFLAGS) -o $@ $< $(STATIC) $(ALL_LDFLAGS) $(RUN_LIBS)
bench: bench-batch

# Record size and `scorer report` time for a million-line batch run,
# compact and --evidence (bench/report_bench.sh, docs/bench.md).  Takes
# minutes and about 4 GB of disk for the --evidence run.
.PHONY: bench-report
bench-report: $(CLI)
	SCORER=$(CURDIR)/$(CLI) RULES=$(CURDIR)/rules \
	    BENCH_DIR=$(CURDIR)/$(BUILD)/bench/report bench/report_bench.sh
bench: bench-report

# The full pipeline (bench/pipeline_bench.sh, docs/bench.md): STARTTLS
# probes against Postfix on 256 loopback addresses and MTA-STS fetches
# from nginx, against the limits of bare clients (bench/tls_limit.c,
# bench/https_limit.c) and a Python peer (bench/smtp_peer.py).  Needs
# root (Postfix); dnsperf for the DNS limit.  Figures printed, not
# asserted; a few minutes.
.PHONY: bench-pipeline
bench-pipeline: $(CLI) $(LIST_IDX)
	SCORER=$(CURDIR)/$(CLI) RULES=$(CURDIR)/rules \
	    BENCH_DIR=$(CURDIR)/$(BUILD)/bench/pipeline bench/pipeline_bench.sh
bench: bench-pipeline

# One-address check of a healthy lab domain, DNS, STARTTLS probe and
# MTA-STS fetch included (figures printed, not asserted).
bench-check: $(CLI)
	bench/check_bench.sh $(CURDIR)/$(CLI) 20
bench: bench-check

demo: $(CLI)
	tests/lab/demo.sh $(CURDIR)/$(CLI)

install: all
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCDIR) \
	    $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/rules \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3 \
	    $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	install -m 644 include/scorer.h $(DESTDIR)$(INCDIR)/
	install -m 644 $(STATIC) $(DESTDIR)$(LIBDIR)/
	install -m 755 $(SHARED) $(DESTDIR)$(LIBDIR)/
	ln -sf libscorer.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libscorer.so.$(SOVERSION)
	ln -sf libscorer.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libscorer.so
	install -m 755 $(CLI) $(DESTDIR)$(BINDIR)/
	install -m 644 rules/*.ini rules/*.txt rules/*.json rules/SOURCES.md \
	    $(DESTDIR)$(DATADIR)/rules/
	for l in $(LISTS); do \
	    $(LISTC) $(DESTDIR)$(DATADIR)/$$l \
	        $(DESTDIR)$(DATADIR)/$${l%.txt}.idx || exit 1; \
	done
	install -m 644 docs/scorer.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 644 docs/man3/*.3 $(DESTDIR)$(MANDIR)/man3/
	install -m 644 completions/scorer.bash $(DESTDIR)$(BASHCOMPDIR)/scorer
	install -m 644 completions/_scorer $(DESTDIR)$(ZSHCOMPDIR)/_scorer
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	    -e 's|@INCDIR@|$(INCDIR)|' -e 's|@VERSION@|$(VERSION)|' \
	    -e 's|@PKGS@|$(PKGS)|' scorer.pc.in \
	    > $(DESTDIR)$(LIBDIR)/pkgconfig/scorer.pc

uninstall:
	rm -f $(DESTDIR)$(INCDIR)/scorer.h $(DESTDIR)$(LIBDIR)/libscorer.* \
	    $(DESTDIR)$(BINDIR)/scorer $(DESTDIR)$(MANDIR)/man1/scorer.1 \
	    $(DESTDIR)$(LIBDIR)/pkgconfig/scorer.pc \
	    $(DESTDIR)$(BASHCOMPDIR)/scorer $(DESTDIR)$(ZSHCOMPDIR)/_scorer
	rm -f $(patsubst docs/man3/%,$(DESTDIR)$(MANDIR)/man3/%,\
	    $(wildcard docs/man3/*.3))
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf build build-san
	rm -f $(LIST_IDX)

# The unit suite under valgrind's memcheck (no fork: Check would fork per
# test and valgrind follow each), then a few CLI runs: leak-free and
# error-free, or the target fails.  The OOM walk tries every 8th
# allocation here (every one in `make check`).  docs/fuzzing.md.
VALGRIND = valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
           --error-exitcode=99 --max-stackframe=16777216 \
           --main-stacksize=67108864
valgrind: $(TESTBIN) $(CLI)
	CK_FORK=no SC_OOM_STRIDE=8 SC_RULES_DIR=$(CURDIR)/rules \
	    SC_TESTDATA=$(CURDIR)/tests/data $(VALGRIND) $(TESTBIN)
	for a in nobody@example.invalid 'not an address' a@[192.0.2.1]; do \
	    $(VALGRIND) $(CLI) check --rules rules --resolver 127.0.0.1:9 \
	        --timeout 2 "$$a" >/dev/null; rc=$$?; \
	    [ $$rc -le 2 ] || { echo "valgrind: scorer check $$a: $$rc"; exit 1; }; \
	done
	# Every end-to-end case, with the CLI under memcheck (about 7 min).
	VALGRIND_SCORER=$(CURDIR)/$(CLI) SCORER=$(CURDIR)/tests/e2e/valgrind-scorer \
	    BUILD=$(CURDIR)/$(BUILD) tests/e2e/run.sh

# Fuzzing (clang + libFuzzer): make fuzz, docs/fuzzing.md.
include fuzz/fuzz.mk

-include $(LIB_OBJ:.o=.d)
