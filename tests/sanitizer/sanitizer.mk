# make SANITIZE=address,undefined | thread (README "Sanitizer builds"): the sanitizer
# runtimes exist only for dynamically linked glibc programs, so lwrap is built that way;
# the test run's option defaults (options.so, see scripts/sanitizer-env); with ASan, lwrap's
# leak check before its execve.
ifneq ($(SANITIZE),)
SAN_OUT := $(BUILD)/tests/sanitizer

WRAPPER_CC := $(CC)
WRAPPER_LDFLAGS := -Wl,--gc-sections

all: $(SAN_OUT)/options.so

# Not instrumented: it only hands the runtime its defaults, before the runtime is set up.
$(SAN_OUT)/options.so: tests/sanitizer/options.c
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) -O2 -fPIC -shared -Wl,-z,initfirst -DBUILD_DIR='"$(abspath $(BUILD))"' -o $@ $<

ifneq ($(findstring address,$(SANITIZE)),)
WRAPPER_LDFLAGS += -Wl,--wrap=execve
$(BUILD)/lwrap: $(SAN_OUT)/leak_check_exec.o

$(SAN_OUT)/leak_check_exec.o: tests/sanitizer/leak_check_exec.c
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) -c -o $@ $<
endif
endif
