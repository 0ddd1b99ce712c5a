# The fuzz targets (fuzz/fuzz_*.c): libFuzzer with ASan + UBSan, clang only.
# Included from the top Makefile; `make fuzz` builds every target in
# build/fuzz/ and runs each for FUZZ_TIME seconds (fuzz/run.sh), failing
# on any crash, leak, timeout or out-of-memory.  docs/fuzzing.md.
#
#   make fuzz                   build + short run of every target (CI)
#   make fuzz FUZZ_TIME=600     ten minutes each
#   make fuzz-build             build only

FUZZ_CC    ?= clang
FUZZ_TIME  ?= 15
FUZZ_BUILD  = build/fuzz
FUZZ_SAN    = -fsanitize=address,undefined -fno-sanitize-recover=undefined \
              -fno-omit-frame-pointer
FUZZ_CFLAGS = -g -O1 -std=c99 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
              -Iinclude -Iscorer -Iscorer/checks -Ifuzz $(WARN) $(FUZZ_SAN) \
              -DSC_DEFAULT_RULES_DIR='"$(DATADIR)/rules"' $(PKG_CFLAGS)
FUZZ_SRC    = $(wildcard fuzz/fuzz_*.c)
FUZZ_BIN    = $(FUZZ_SRC:fuzz/%.c=$(FUZZ_BUILD)/%)
FUZZ_LIBOBJ = $(LIB_SRC:%.c=$(FUZZ_BUILD)/obj/%.o)
FUZZ_LIB    = $(FUZZ_BUILD)/libscorer-fuzz.a
# Targets that compile CLI sources in (they use only scorer.h and libc).
FUZZ_TOOL_batch_input = scorer/tool/tool_batch_input.c

.PHONY: fuzz fuzz-build
fuzz-build: $(FUZZ_BIN)

fuzz: $(FUZZ_BIN)
	FUZZ_BUILD=$(CURDIR)/$(FUZZ_BUILD) FUZZ_TIME=$(FUZZ_TIME) \
	    CONFORMANCE_DIR=$(CONFORMANCE_DIR) fuzz/run.sh

# The library with coverage instrumentation (fuzzer-no-link) and the
# sanitizers; the library's own flags otherwise.
$(FUZZ_BUILD)/obj/scorer/%.o: scorer/%.c $(LIB_HDR)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -DSC_BUILDING_LIBRARY \
	    -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_LIB): $(FUZZ_LIBOBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz.h $(FUZZ_LIB)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Iscorer/tool -fsanitize=fuzzer -o $@ $< \
	    $(FUZZ_TOOL_$*) $(FUZZ_LIB) $(PKG_LIBS) $(TOOL_LIBS)
