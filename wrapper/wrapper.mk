# The wrapper is static so it runs on any Lambda image; musl keeps it small
# (x86_64: musl-gcc from musl-tools; arm64: aarch64-linux-musl-gcc). Without musl
# it falls back to static glibc (about 750 KiB).
MUSL_CC := $(shell command -v $(if $(CROSS),$(subst -gnu-,-musl-,$(CROSS))gcc,musl-gcc) 2>/dev/null)
WRAPPER_CC ?= $(if $(MUSL_CC),$(MUSL_CC),$(CC))
WRAPPER_SRCS := $(wildcard wrapper/*.c)
WRAPPER_OBJS := $(WRAPPER_SRCS:%.c=$(BUILD)/%.o)
# Unused code and data are dropped at link time; -Os: size matters more than speed
# for a program that runs a few microseconds before exec.
WRAPPER_CFLAGS  := -Os -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables
WRAPPER_LDFLAGS := -static -s -Wl,--gc-sections
# arm64 aligns segments to 64 KiB (kernels may use 64 KiB pages); the RELRO segment then
# pads the file from 47 to 65 KiB. A static program that execs within microseconds has
# almost nothing RELRO would protect (no dynamic relocations), so arm64 goes without.
ifneq ($(findstring aarch64,$(CROSS)),)
WRAPPER_LDFLAGS += -Wl,-z,norelro
endif

all: $(BUILD)/lwrap

$(BUILD)/wrapper/%.o: wrapper/%.c
	@mkdir -p $(@D)
	$(WRAPPER_CC) $(BASE_CFLAGS) $(WRAPPER_CFLAGS) -c -o $@ $<

$(BUILD)/lwrap: $(WRAPPER_OBJS)
	$(WRAPPER_CC) $(WRAPPER_LDFLAGS) $(LDFLAGS) -o $@ $^

# Instructions lwrap spends before its execve, against a bare execv shim (callgrind).
.PHONY: wrapper-cost
wrapper-cost: $(BUILD)/lwrap
	wrapper/cost.sh $(BUILD)
