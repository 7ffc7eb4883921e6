# redis-init: a plain Makefile. `make` builds against the system's libraries;
# `make static` builds the fully static, stripped musl binary.
VERSION  ?= 0.1.0
PREFIX   ?= /usr/local
TEMPLATE_DIR ?= $(PREFIX)/share/redis-init/templates
CC       ?= cc
CFLAGS   ?= -O2 -g -Wall -Wextra -Werror
CPPFLAGS += -D_GNU_SOURCE -DVERSION='"$(VERSION)"'
# Where the image keeps its templates; the static binary is built for it.
IMAGE_TEMPLATE_DIR ?= /etc/redis-init/templates
LDLIBS   ?= -lconfuse -lhiredis
BUILD    ?= build

SRCS     := $(wildcard init/*.c)
LIB_SRCS := $(filter-out init/main.c,$(SRCS))
OBJS     := $(SRCS:init/%.c=$(BUILD)/obj/%.o)
LIB_OBJS := $(LIB_SRCS:init/%.c=$(BUILD)/obj/%.o)

.PHONY: all static test unit e2e bench demo deps install clean image redis-static \
        fuzz fuzz-build test-asan asan-build lint bench-quick test-redis test-k8s \
        k8s-manifests
IMAGE    ?= redis-init:latest
all: redis-init

redis-init: $(OBJS)
	$(CC) $(LDFLAGS) -o $@ $(OBJS) $(LDLIBS)

$(BUILD)/obj/%.o: init/%.c $(wildcard init/*.h)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -DTEMPLATE_DIR_DEFAULT='"$(TEMPLATE_DIR)"' $(CFLAGS) -c -o $@ $<

# ---- static musl build, libraries from Debian's source packages ----
# Built -fPIE for the static PIE (a directory of its own: libraries an
# older make static built without it cannot link into one).
# One recipe makes both (&:, GNU make 4.3): under make -j a plain rule of two
# targets ran it twice at once, in the same directory.
STATIC_LIBS := $(BUILD)/musl-pie/lib/libhiredis.a $(BUILD)/musl-pie/lib/libconfuse.a
$(STATIC_LIBS) &: images/static-libs.sh images/patches/libconfuse-CVE-2022-40320.patch
	sh images/static-libs.sh $(BUILD)/musl-pie

# Hardening the static musl build supports: a static PIE (ASLR for the
# whole binary; images/static-libs.sh builds the libraries -fPIE), stack
# protector, full RELRO (enforced by images/static-relro.c: musl's static
# PIE start does not make it read-only). musl has no _FORTIFY_SOURCE of its
# own (glibc's checks need its __*_chk functions), so it is not claimed here.
# musl-gcc's own specs cannot link a static PIE: images/musl-static-pie.specs.
STATIC_CC     ?= gcc -specs=images/musl-static-pie.specs
STATIC_HARDEN ?= -fPIE -fstack-protector-strong \
                 -Wl,-z,relro,-z,now -Wl,-z,noexecstack
static: $(BUILD)/static/redis-init
$(BUILD)/static/redis-init: $(SRCS) $(wildcard init/*.h) $(STATIC_LIBS) \
                            images/musl-static-pie.specs images/static-nofloat.c \
                            images/static-relro.c
	@mkdir -p $(@D)
	$(STATIC_CC) $(STATIC_HARDEN) -Oz -flto=auto -fno-asynchronous-unwind-tables -ffunction-sections \
	    -fdata-sections -Wl,--gc-sections \
	    -Wl,-z,noseparate-code -Wl,--build-id=none \
	    -Wall -Wextra -Werror $(CPPFLAGS) \
	    -DTEMPLATE_DIR_DEFAULT='"$(IMAGE_TEMPLATE_DIR)"' \
	    -I$(BUILD)/musl-pie/include -o $@ $(SRCS) images/static-nofloat.c images/static-relro.c \
	    -Wl,--wrap=strtod -L$(BUILD)/musl-pie/lib -lconfuse -lhiredis
	strip -s -R .comment $@
	@ls -l $@

# ---- the image: static Redis from Debian's source, FROM scratch ----
redis-static:
	sh images/build-redis.sh $(BUILD)/redis

image: static redis-static
	sh images/rootfs.sh $(BUILD)/image $(BUILD)/static/redis-init \
	    $(BUILD)/redis/bin templates
	docker build -q -t $(IMAGE) -f images/Dockerfile $(BUILD)/image
	@docker image ls $(IMAGE)

# ---- tests ----
$(BUILD)/unit: tests/unit/unit.c $(LIB_OBJS)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Iinit -o $@ $< $(LIB_OBJS) $(LDLIBS) -lcmocka

deps:
	sh .ci/deps

test: deps redis-init $(BUILD)/unit static fuzz-build asan-build
	bash tests/run

# The Helm chart (Sentinel, then Redis Cluster) on a real single-node
# Kubernetes cluster built here from upstream sources (README: Kubernetes).
# Not part of `make test`: about 6 minutes, and 13 to 20 more and 8.4 GB the
# first time (the build is kept in K8S_CACHE, /var/cache/redis-init-k8s).
K8S_IMAGE ?= redis-init:k8s-test
test-k8s: deps
	sh tests/k8s/deps.sh
	$(MAKE) image IMAGE=$(K8S_IMAGE)
	IMAGE=$(K8S_IMAGE) bash tests/k8s/test.sh

# The plain manifests (compose/kubernetes/redis, cluster) are the Helm
# chart's rendered defaults: edit the chart, then run this (helm is built
# once from the Go module proxy into K8S_CACHE). tests/e2e/chart.sh checks.
k8s-manifests:
	h=$$(bash tests/k8s/helm.sh) && HELM=$$h sh compose/kubernetes/render.sh

# ---- hardening: fuzzing, sanitizers, static analysis (README: Hardening) ----
# libFuzzer targets (tests/fuzz/fuzz_*.c) with ASan+UBSan, built by clang
# against the library objects compiled the same way.
FUZZ_CC      ?= clang
FUZZ_SAN     := -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_SECONDS ?= 60
FUZZ_NAMES   := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS    := $(FUZZ_NAMES:%=$(BUILD)/fuzz/%)
FUZZ_OBJS    := $(LIB_SRCS:init/%.c=$(BUILD)/fuzz/obj/%.o)

$(BUILD)/fuzz/obj/%.o: init/%.c $(wildcard init/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer-no-link -c -o $@ $<
$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_OBJS)
	$(FUZZ_CC) $(CPPFLAGS) -DFUZZ_TEMPLATE_DIR='"$(CURDIR)/templates"' \
	    $(FUZZ_SAN) -fsanitize=fuzzer -Wall -Wextra -Werror -Iinit -o $@ $< $(FUZZ_OBJS) $(LDLIBS)

# Kept: make would delete them as intermediates of the pattern rule above.
.SECONDARY: $(FUZZ_OBJS)
fuzz-build: $(FUZZ_BINS)
# Each target for FUZZ_SECONDS (default 60), from its corpus in tests/fuzz/.
fuzz: deps fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) bash tests/fuzz/run

# The binary and the unit tests under ASan+UBSan (gcc): make test-asan runs
# them and the PID-1 suites against it (tests/e2e/asan.sh).
ASAN_FLAGS := -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
              -fno-sanitize-recover=all -Wall -Wextra -Werror
ASAN_OBJS  := $(SRCS:init/%.c=$(BUILD)/asan/obj/%.o)
ASAN_LIB_OBJS := $(LIB_SRCS:init/%.c=$(BUILD)/asan/obj/%.o)
$(BUILD)/asan/obj/%.o: init/%.c $(wildcard init/*.h)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -DTEMPLATE_DIR_DEFAULT='"$(TEMPLATE_DIR)"' $(ASAN_FLAGS) -c -o $@ $<
$(BUILD)/asan/redis-init: $(ASAN_OBJS)
	$(CC) $(ASAN_FLAGS) -o $@ $(ASAN_OBJS) $(LDLIBS)
$(BUILD)/asan/unit: tests/unit/unit.c $(ASAN_LIB_OBJS)
	$(CC) $(CPPFLAGS) $(ASAN_FLAGS) -Iinit -o $@ $< $(ASAN_LIB_OBJS) $(LDLIBS) -lcmocka
asan-build: $(BUILD)/asan/redis-init $(BUILD)/asan/unit
test-asan: deps asan-build
	UNIT= bash tests/run tests/e2e/asan.sh

# Static analysis of init/: gcc -fanalyzer and cppcheck, no finding (each
# suppression is a pragma or inline comment with its reason in the source).
LINT_CC  ?= gcc
lint:
	@for f in $(SRCS); do \
	    $(LINT_CC) $(CPPFLAGS) -O1 -Wall -Wextra -Werror -fanalyzer \
	        -c -o /dev/null $$f || exit 1; \
	done; echo "gcc -fanalyzer: no finding"
	cppcheck -q --error-exitcode=1 --enable=warning,style,performance,portability \
	    --inline-suppr --std=c11 $(CPPFLAGS) -Iinit init/
	@echo "cppcheck: no finding"

bench: deps redis-init static redis-static
	bash tests/bench/run

# The PID-1 figures in under two minutes: fewer, shorter repeats (each
# figure min / median / max), into build/bench-quick/.
bench-quick: deps redis-init static
	BENCH_OUT=$(BUILD)/bench-quick RUNS=10 REPEATS=3 IDLE=2 ORPHANS=2000 \
	    bash tests/bench/pid1.sh

# Redis' own test suites against the image's static Redis (README: The image).
test-redis: deps redis-static
	bash tests/redis/run.sh

demo: deps redis-init
	bash tests/demo.sh

install: redis-init
	install -D -m 755 redis-init $(DESTDIR)$(PREFIX)/bin/redis-init
	install -d $(DESTDIR)$(TEMPLATE_DIR)
	install -m 644 templates/*.conf $(DESTDIR)$(TEMPLATE_DIR)

clean:
	rm -rf $(BUILD) redis-init
