# The wrapper is static so it runs on any Lambda image; musl keeps it small.
MUSL_CC := $(shell command -v $(if $(CROSS),$(subst -gnu-,-musl-,$(CROSS))gcc,musl-gcc) 2>/dev/null)
WRAPPER_CC ?= $(if $(MUSL_CC),$(MUSL_CC),$(CC))
WRAPPER_SRCS := $(wildcard wrapper/*.c)
WRAPPER_OBJS := $(WRAPPER_SRCS:%.c=$(BUILD)/%.o)

all: $(BUILD)/lwrap

$(BUILD)/wrapper/%.o: wrapper/%.c
	@mkdir -p $(@D)
	$(WRAPPER_CC) $(BASE_CFLAGS) -Os -c -o $@ $<

$(BUILD)/lwrap: $(WRAPPER_OBJS)
	$(WRAPPER_CC) -static -s $(LDFLAGS) -o $@ $^
