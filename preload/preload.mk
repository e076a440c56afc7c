# liblwrap.so must load on glibc 2.26 (Amazon Linux 2): libdl and libpthread are linked
# by file name because Debian 12's -ldl/-lpthread are empty archives that add no NEEDED.
PRELOAD_SRCS := $(wildcard preload/*.c)
PRELOAD_OBJS := $(PRELOAD_SRCS:%.c=$(BUILD)/%.o)

all: $(BUILD)/liblwrap.so

$(BUILD)/preload/%.o: preload/%.c
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) -fPIC -fvisibility=hidden -c -o $@ $<

$(BUILD)/liblwrap.so: $(PRELOAD_OBJS)
	$(CC) -shared $(LDHARDEN) $(LDFLAGS) -o $@ $^ \
	    -Wl,--no-as-needed -l:libdl.so.2 -l:libpthread.so.0 -Wl,--as-needed
