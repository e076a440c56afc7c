# Shipping: `make layer` (both architectures), `make check-glibc`, `make install/uninstall`,
# and the small programs the packaging tests build. scripts/build-layer does the zipping.

DIST ?= dist

# Which compiler prefix builds each layer architecture from this host, and where:
# the architecture the current BUILD is for uses $(BUILD), the other one $(BUILD)-<arch>
# (so `make layer` on x86_64 builds arm64 into build-arm64, as the cross build does).
HOST_ARCH := $(shell uname -m)
# LAYER_ARCHES=x86_64 limits `make layer` to one architecture (no cross compiler needed).
LAYER_ARCHES ?= x86_64 arm64
LAYER_CROSS_x86_64 := $(if $(filter x86_64,$(HOST_ARCH)),,x86_64-linux-gnu-)
LAYER_CROSS_arm64 := $(if $(filter aarch64 arm64,$(HOST_ARCH)),,aarch64-linux-gnu-)
layer_is_current = $(and $(findstring x$(strip $(CROSS)),x$(LAYER_CROSS_$(1))),$(findstring x$(LAYER_CROSS_$(1)),x$(strip $(CROSS))))
layer_build = $(if $(call layer_is_current,$(1)),$(BUILD),$(BUILD)-$(1))
# The configured CC when the architecture is the one CROSS selects, else the cross gcc.
layer_cc = $(if $(call layer_is_current,$(1)),$(CC),$(LAYER_CROSS_$(1))gcc)

.PHONY: check-glibc $(LAYER_ARCHES:%=layer-build-%) $(LAYER_ARCHES:%=layer-%)

# Build lwrap and liblwrap.so for one architecture (a sub-make: CROSS, CC, BUILD differ).
$(LAYER_ARCHES:%=layer-build-%): layer-build-%:
	$(MAKE) --no-print-directory CROSS=$(LAYER_CROSS_$*) CC=$(call layer_cc,$*) \
	    BUILD=$(call layer_build,$*) $(call layer_build,$*)/lwrap $(call layer_build,$*)/liblwrap.so

$(LAYER_ARCHES:%=layer-%): layer-%: layer-build-%
	scripts/build-layer --arch $* --build $(call layer_build,$*) \
	    --strip $(LAYER_CROSS_$*)strip --out $(DIST)/lwrap-layer-$*.zip

layer: $(LAYER_ARCHES:%=layer-%)

check-glibc: $(LAYER_ARCHES:%=layer-build-%)
	scripts/check-glibc $(foreach a,$(LAYER_ARCHES),--build $(call layer_build,$(a)))

# The wrapper looks for liblwrap.so in ../lib/ relative to itself, so bin/ and lib/
# under one PREFIX work together.
install: $(BUILD)/lwrap $(BUILD)/liblwrap.so
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib
	install -m 0755 $(BUILD)/lwrap $(DESTDIR)$(PREFIX)/bin/lwrap
	install -m 0755 $(BUILD)/liblwrap.so $(DESTDIR)$(PREFIX)/lib/liblwrap.so

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/lwrap $(DESTDIR)$(PREFIX)/lib/liblwrap.so

# Programs for tests/packaging-*.bats, built with the preload's glibc_compat.h and link
# libraries so that what they prove holds for liblwrap.so (make BUILD=... <target>); not
# with its hook list (PRELOAD_CFLAGS), which unpins the functions liblwrap.so defines.
PK_FIX := tests/fixtures/packaging
PK_OUT := $(BUILD)/tests/packaging
PK_SO_CFLAGS := $(BASE_CFLAGS) -fPIC -fvisibility=hidden $(PRELOAD_COMPAT)
PK_SO_LDFLAGS := -shared $(LDHARDEN)

# Uses every kind of pinned symbol (libdl, libpthread, fcntl64, stat family).
$(PK_OUT)/compat-probe.so: $(PK_FIX)/compat_probe.c $(BUILD)/preload/glibc_compat.o
	@mkdir -p $(@D)
	$(CC) $(PK_SO_CFLAGS) $(PK_SO_LDFLAGS) -o $@ $< $(BUILD)/preload/glibc_compat.o $(PRELOAD_LDLIBS)

# Deliberately bad: calls closefrom, which exists only from glibc 2.34 (no pin can help).
$(PK_OUT)/bad-newsym.so: $(PK_FIX)/bad_newsym.c
	@mkdir -p $(@D)
	$(CC) $(PK_SO_CFLAGS) $(PK_SO_LDFLAGS) -o $@ $< $(PRELOAD_LDLIBS)

# The same dlsym call without glibc_compat.h: what a naive build asks for.
$(PK_OUT)/naive-dlsym.so: $(PK_FIX)/naive_dlsym.c
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) -fPIC -shared -o $@ $<

# The program lwrap runs in the arm64, install and layer tests: prints its argv, one
# environment variable, and which liblwrap.so (if any) provides the write() it calls.
$(PK_OUT)/argv-probe: $(PK_FIX)/argv_probe.c
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) -o $@ $< -ldl

.PHONY: packaging-fixtures
packaging-fixtures: $(PK_OUT)/compat-probe.so $(PK_OUT)/bad-newsym.so \
    $(PK_OUT)/naive-dlsym.so $(PK_OUT)/argv-probe

# AWS SAM (examples/sam/template.yaml): a layer with `BuildMethod: makefile` and
# `ContentUri` at this directory makes `sam build` run `make build-<LogicalId>` in a copy
# of the checkout with ARTIFACTS_DIR set; the layer's content is what lands there (/opt).
SAM_LAYERS := LwrapLayerX86:x86_64 LwrapLayerArm64:arm64
.PHONY: $(foreach l,$(SAM_LAYERS),build-$(firstword $(subst :, ,$(l))))
define sam_layer_rule
build-$(1): layer-$(2)
	@test -n "$$(ARTIFACTS_DIR)" || { echo "build-$(1): ARTIFACTS_DIR is not set (sam build sets it)" >&2; exit 2; }
	mkdir -p "$$(ARTIFACTS_DIR)"
	cd "$$(ARTIFACTS_DIR)" && unzip -o -q "$$(abspath $$(DIST))/lwrap-layer-$(2).zip"
endef
$(foreach l,$(SAM_LAYERS),$(eval $(call sam_layer_rule,$(firstword $(subst :, ,$(l))),$(lastword $(subst :, ,$(l))))))
