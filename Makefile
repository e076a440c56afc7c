# lwrap: `make` builds $(BUILD)/lwrap, $(BUILD)/liblwrap.so and $(BUILD)/lambda-emu.
# Each component keeps its rules in its own fragment (wrapper/wrapper.mk, ...);
# this file holds the shared flags and the user-facing targets.

PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build
# Cross builds: make CROSS=aarch64-linux-gnu- BUILD=build-arm64
CROSS   ?=

ifeq ($(origin CC),default)
CC := $(CROSS)gcc
endif

CSTD   := -std=c11 -D_GNU_SOURCE
WARN   := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wvla -Wpointer-arith \
          -Wmissing-prototypes -Wstrict-prototypes
OPT    ?= -O2 -g
HARDEN := -fstack-protector-strong -D_FORTIFY_SOURCE=2
BASE_CFLAGS := $(CSTD) $(WARN) $(OPT) $(HARDEN) -MMD -MP $(CFLAGS)
LDHARDEN := -Wl,-z,relro,-z,now

.PHONY: all test demo layer bench install uninstall clean
all:

include wrapper/wrapper.mk
include preload/preload.mk
include tests/emulator/emulator.mk
include tests/runtimes/runtimes.mk
include tests/fuzz/fuzz.mk
-include scripts/scripts.mk

# T=pattern runs only the suites whose file name contains it. A fresh machine gets what
# the suites need first: packages (scripts/install-test-deps: apt-get as root, else the
# command to run) and the cached peers (scripts/prepare-test-deps), then test-only builds.
.PHONY: test-deps test-builds
test-deps:
	scripts/install-test-deps
	scripts/prepare-test-deps

test: test-deps
	$(MAKE) --no-print-directory all test-builds
	BUILD=$(abspath $(BUILD)) scripts/run-tests $(T)

demo: all
	BUILD=$(abspath $(BUILD)) scripts/demo

# QUICK=1: the CI smoke run (few repetitions, times not asserted anywhere).
bench: all
	BUILD=$(abspath $(BUILD)) scripts/bench $(if $(QUICK),--quick) --out bench/results.md

clean:
	rm -rf $(BUILD) build-* dist

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
