# lwrap: `make` builds $(BUILD)/lwrap, $(BUILD)/liblwrap.so and $(BUILD)/lambda-emu.
# Each component keeps its rules in its own fragment (wrapper/wrapper.mk, ...);
# this file holds the shared flags and the user-facing targets.

PREFIX  ?= /usr/local
DESTDIR ?=
# make SANITIZE=address,undefined (or thread): everything built with those sanitizers, into
# a directory of its own (build-asan, build-tsan), so the normal build stays as it is.
SANITIZE ?=
SAN_NAME := $(if $(findstring address,$(SANITIZE)),asan,$(if $(findstring thread,$(SANITIZE)),tsan,san))
BUILD   ?= $(if $(SANITIZE),build-$(SAN_NAME),build)
# What the packaging tests check under SANITIZE (the artifact that ships): a normal build.
SHIP_BUILD ?= build
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
LDHARDEN := -Wl,-z,relro,-z,now
ifneq ($(SANITIZE),)
SAN_FLAGS := -fsanitize=$(SANITIZE) -fno-sanitize-recover=undefined -fno-omit-frame-pointer
# _FORTIFY_SOURCE's checked copies (__memcpy_chk, ...) are not intercepted by the sanitizers.
HARDEN := -fstack-protector-strong
override LDFLAGS += $(SAN_FLAGS)
endif
BASE_CFLAGS := $(CSTD) $(WARN) $(OPT) $(HARDEN) $(SAN_FLAGS) -MMD -MP $(CFLAGS)

.PHONY: all test check demo layer bench install uninstall clean
all:

include wrapper/wrapper.mk
include preload/preload.mk
include tests/emulator/emulator.mk
include tests/runtimes/runtimes.mk
include tests/fuzz/fuzz.mk
include tests/sanitizer/sanitizer.mk
-include scripts/scripts.mk

# T=pattern runs only the suites whose file name contains it. A fresh machine gets what
# the suites need first: packages (scripts/install-test-deps: apt-get as root, else the
# command to run) and the cached peers (scripts/prepare-test-deps), then test-only builds.
# Under SANITIZE the normal build is made too (SHIP_BUILD, for the tests of the shipped
# artifact), and the tests' own calls of make do not inherit SANITIZE (they build what ships).
.PHONY: test-deps test-builds
test-deps:
	scripts/install-test-deps
	scripts/prepare-test-deps

test: test-deps
	$(MAKE) --no-print-directory all test-builds $(if $(SANITIZE),ship-build)
	$(if $(SANITIZE),SANITIZE= MAKEFLAGS='$(filter-out SANITIZE=%,$(MAKEFLAGS))' SHIP_BUILD=$(abspath $(SHIP_BUILD)) \
	    TEST_SANITIZE=$(SANITIZE) TEST_SAN_CFLAGS='$(SAN_FLAGS)') \
	BUILD=$(abspath $(BUILD)) scripts/run-tests $(T)

# What CI runs: make test, then the suites again under ASan+UBSan (scripts/check).
check:
	scripts/check $(T)

.PHONY: ship-build
ship-build:
	$(MAKE) --no-print-directory SANITIZE= BUILD=$(SHIP_BUILD) all

demo: all
	BUILD=$(abspath $(BUILD)) scripts/demo

# QUICK=1: the CI smoke run (few repetitions, times not asserted anywhere).
bench: all
	BUILD=$(abspath $(BUILD)) scripts/bench $(if $(QUICK),--quick) --out bench/results.md

clean:
	rm -rf $(BUILD) build-* dist

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
