# make fuzz: every libFuzzer target in tests/fuzz/ for FUZZ_SECONDS each (FUZZ=name runs
# one), from the seed corpora in tests/fuzz/corpus/ and the regression inputs in
# tests/fuzz/regress/; make fuzz-build only builds them into $(BUILD)/fuzz.
# Needs clang with libFuzzer (Debian 12: apt-get install clang libclang-rt-dev).
# Each target links the project's own sources it exercises, compiled here with the
# fuzzer's coverage and ASan+UBSan; the harness stubs the I/O around them.
FUZZ_CC      ?= $(or $(shell command -v clang-14 2>/dev/null),clang)
FUZZ_SECONDS ?= 60
FUZZ_SAN     := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
# The project's sources get the fuzzer's coverage instrumentation, the harnesses not:
# coverage then means lwrap's code, and the harness's checks run at full speed.
FUZZ_CFLAGS  := $(CSTD) $(WARN) -g -O1 -fno-omit-frame-pointer -fno-sanitize-recover=all -MMD -MP \
                -Ipreload -Iwrapper -Itests/emulator -Itests/fuzz
FUZZ_COVERED := -fsanitize=fuzzer-no-link,address,undefined
FUZZ_HARNESS := -fsanitize=address,undefined

FUZZ_TARGETS := preload_http wrapper_split wrapper_conf wrapper_fetch log_records json_utf8 emu_http emu_frames emu_json

# The project sources each target links besides its harness tests/fuzz/<target>.c.
FUZZ_SRCS_preload_http := preload/http.c
# The wrapper's parts depend on each other (diagnostics, environment, masking, config):
# every file but main()'s, so a new dependency never breaks the link.
FUZZ_WRAPPER_LIB       := $(filter-out wrapper/lwrap.c,$(wildcard wrapper/*.c))
FUZZ_SRCS_wrapper_split := $(FUZZ_WRAPPER_LIB)
FUZZ_SRCS_wrapper_fetch := $(FUZZ_WRAPPER_LIB)
# (out.c, the diagnostics' writer, is the harness's recorder)
FUZZ_SRCS_wrapper_conf  := $(filter-out wrapper/out.c,$(FUZZ_WRAPPER_LIB))
# The log pipeline without the preload core (hooks, sink, clock, observer: stubbed).
FUZZ_SRCS_log_records := $(addprefix preload/log_,record.c order.c output.c continuation.c parse.c \
                          level.c format_text.c format_json.c redact.c time.c)
FUZZ_SRCS_json_utf8   := $(addprefix preload/log_,parse.c format_json.c level.c time.c)
FUZZ_SRCS_emu_http    := tests/emulator/http.c tests/emulator/util.c tests/emulator/json.c
FUZZ_SRCS_emu_frames  := tests/emulator/stream_events.c tests/emulator/util.c tests/emulator/json.c
FUZZ_SRCS_emu_json    := tests/emulator/json.c tests/emulator/util.c

FUZZ_DIR  := $(BUILD)/fuzz
FUZZ_BINS := $(FUZZ_TARGETS:%=$(FUZZ_DIR)/%)

.PHONY: fuzz fuzz-build
fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	tests/fuzz/run --build $(abspath $(BUILD)) --seconds $(FUZZ_SECONDS) $(FUZZ)

# A clear message instead of a wall of link errors when libFuzzer is missing.
$(FUZZ_DIR)/.cc-ok:
	@mkdir -p $(@D)
	@printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' \
		>$(@D)/cc-check.c
	@$(FUZZ_CC) $(FUZZ_SAN) -o $(@D)/cc-check $(@D)/cc-check.c 2>/dev/null || { \
		echo "make fuzz: '$(FUZZ_CC)' cannot build libFuzzer targets; install clang with libFuzzer" \
		     "(Debian 12: apt-get install clang libclang-rt-dev) or set FUZZ_CC" >&2; exit 1; }
	@touch $@

$(FUZZ_DIR)/obj/tests/fuzz/%.o: tests/fuzz/%.c tests/fuzz/fuzz.mk | $(FUZZ_DIR)/.cc-ok
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_HARNESS) -c -o $@ $<

$(FUZZ_DIR)/obj/%.o: %.c tests/fuzz/fuzz.mk | $(FUZZ_DIR)/.cc-ok
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_COVERED) -c -o $@ $<

define FUZZ_TARGET_RULE
$(FUZZ_DIR)/$(1): $(FUZZ_DIR)/obj/tests/fuzz/$(1).o $(FUZZ_SRCS_$(1):%.c=$(FUZZ_DIR)/obj/%.o)
	$(FUZZ_CC) $(FUZZ_SAN) -o $$@ $$^ -lpthread
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call FUZZ_TARGET_RULE,$(t))))
