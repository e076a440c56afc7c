# make SANITIZE=address,undefined | thread (README "Sanitizer builds"): the sanitizer
# runtimes exist only for dynamically linked glibc programs, so lwrap is built that way.
# With ASan: what every process of the test run loads ahead of the runtime
# (sanitizer-env.so, see scripts/sanitizer-env), and lwrap's leak check before its execve.
ifneq ($(SANITIZE),)
SAN_OUT := $(BUILD)/tests/sanitizer

WRAPPER_CC := $(CC)
WRAPPER_LDFLAGS := -Wl,--gc-sections

ifneq ($(findstring thread,$(SANITIZE)),)
# gcc cannot instrument a standalone fence: see README "Sanitizer builds" for the two.
BASE_CFLAGS += -Wno-tsan
endif

ifneq ($(findstring address,$(SANITIZE)),)
all: $(SAN_OUT)/sanitizer-env.so

# Not instrumented: it runs before the runtime is set up (options.c says why initfirst).
$(SAN_OUT)/sanitizer-env.so: tests/sanitizer/options.c tests/sanitizer/realloc_growth.c tests/sanitizer/env.h
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) -O2 -fPIC -shared -Wl,-z,initfirst -DBUILD_DIR='"$(abspath $(BUILD))"' \
	    -o $@ $(filter %.c,$^) -ldl

WRAPPER_LDFLAGS += -Wl,--wrap=execve
$(BUILD)/lwrap: $(SAN_OUT)/leak_check_exec.o

$(SAN_OUT)/leak_check_exec.o: tests/sanitizer/leak_check_exec.c
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) -c -o $@ $<
endif
endif
