# liblwrap.so must load on glibc 2.26 (Amazon Linux 2) on x86_64 and arm64, although it is
# built against a newer glibc: every object is compiled with glibc_compat.h force-included
# (its .symver pins select the old symbol versions), and libdl/libpthread are linked by
# file name because Debian 12's -ldl/-lpthread are empty archives that add no NEEDED,
# while glibc < 2.34 defines dlsym, pthread_create, ... only in those libraries.
# scripts/check-glibc verifies the result (make check-glibc).
# A sanitizer build (tests/sanitizer/sanitizer.mk) never ships, so it goes without the
# pins: the sanitizer runtimes intercept stat & co. by name and cannot call glibc's
# compat-only __fxstat behind their interceptor (ThreadSanitizer's is a null pointer).
PRELOAD_SRCS := $(filter-out $(if $(SANITIZE),preload/glibc_compat.c),$(wildcard preload/*.c))
PRELOAD_OBJS := $(PRELOAD_SRCS:%.c=$(BUILD)/%.o)

# The functions the preload defines as hooks (`EXPORT type name(`): glibc_compat.h must not
# pin those (see there). (A variable holds the "(" so make's parser sees balanced parens.)
PRELOAD_LP      := (
PRELOAD_HOOKED  := $(sort $(shell sed -n 's/^EXPORT[^$(PRELOAD_LP)]*[ *]\([A-Za-z_0-9]*\)$(PRELOAD_LP).*/\1/p' $(PRELOAD_SRCS)))
# Only the hooks glibc_compat.h has a guard for matter.
PRELOAD_PIN_GUARDED := dlopen dlclose dlsym dlvsym dlmopen pthread_create pthread_join \
                   pthread_detach pthread_kill pthread_sigmask pthread_cancel fcntl64
PRELOAD_COMPAT  := $(if $(SANITIZE),,-include preload/glibc_compat.h)
# -ffile-prefix-map: the checkout's path stays out of the debug info, whose bytes feed the
# build id that ships in the stripped library: a layer built in SAM's scratch copy of the
# checkout is then byte-identical to one built here.
PRELOAD_CFLAGS  := -fPIC -fvisibility=hidden -ffile-prefix-map=$(CURDIR)=. $(PRELOAD_COMPAT) \
                   $(patsubst %,-DLWRAP_HOOKS_%,$(filter $(PRELOAD_PIN_GUARDED),$(PRELOAD_HOOKED)))
# No -z defs, so half-written seams still link during development; scripts/check-glibc
# (make layer) refuses a library with an undefined symbol that no glibc library provides.
PRELOAD_LDFLAGS := -shared -Wl,-soname,liblwrap.so $(LDHARDEN)
PRELOAD_LDLIBS  := -Wl,--no-as-needed -l:libdl.so.2 -l:libpthread.so.0 -Wl,--as-needed

all: $(BUILD)/liblwrap.so

$(BUILD)/preload/%.o: preload/%.c
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $(PRELOAD_CFLAGS) -c -o $@ $<

$(BUILD)/liblwrap.so: $(PRELOAD_OBJS)
	$(CC) $(PRELOAD_LDFLAGS) $(LDFLAGS) -o $@ $^ $(PRELOAD_LDLIBS)
