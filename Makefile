# redis-init: a plain Makefile. `make` builds against the system's libraries;
# `make static` builds the fully static, stripped musl binary.
VERSION  ?= 0.1.0
PREFIX   ?= /usr/local
TEMPLATE_DIR ?= $(PREFIX)/share/redis-init/templates
CC       ?= cc
CFLAGS   ?= -O2 -g -Wall -Wextra -Werror=implicit-function-declaration
CPPFLAGS += -D_GNU_SOURCE -DVERSION='"$(VERSION)"'
# Where the image keeps its templates; the static binary is built for it.
IMAGE_TEMPLATE_DIR ?= /etc/redis-init/templates
LDLIBS   ?= -lconfuse -lhiredis
BUILD    ?= build

SRCS     := $(wildcard init/*.c)
LIB_SRCS := $(filter-out init/main.c,$(SRCS))
OBJS     := $(SRCS:init/%.c=$(BUILD)/obj/%.o)
LIB_OBJS := $(LIB_SRCS:init/%.c=$(BUILD)/obj/%.o)

.PHONY: all static test unit e2e bench demo deps install clean image redis-static test-redis
IMAGE    ?= redis-init:latest
all: redis-init

redis-init: $(OBJS)
	$(CC) $(LDFLAGS) -o $@ $(OBJS) $(LDLIBS)

$(BUILD)/obj/%.o: init/%.c $(wildcard init/*.h)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -DTEMPLATE_DIR_DEFAULT='"$(TEMPLATE_DIR)"' $(CFLAGS) -c -o $@ $<

# ---- static musl build, libraries from Debian's source packages ----
STATIC_LIBS := $(BUILD)/musl/lib/libhiredis.a $(BUILD)/musl/lib/libconfuse.a
$(STATIC_LIBS):
	sh images/static-libs.sh $(BUILD)/musl

static: $(BUILD)/static/redis-init
$(BUILD)/static/redis-init: $(SRCS) $(wildcard init/*.h) $(STATIC_LIBS)
	@mkdir -p $(@D)
	musl-gcc -static -Os -fno-asynchronous-unwind-tables -ffunction-sections \
	    -fdata-sections -Wl,--gc-sections \
	    -Wl,-z,noseparate-code -Wl,--build-id=none \
	    -Wall -Wextra $(CPPFLAGS) \
	    -DTEMPLATE_DIR_DEFAULT='"$(IMAGE_TEMPLATE_DIR)"' \
	    -I$(BUILD)/musl/include -o $@ $(SRCS) \
	    -L$(BUILD)/musl/lib -lconfuse -lhiredis
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

test: deps redis-init $(BUILD)/unit static
	bash tests/run

bench: deps redis-init static redis-static
	bash tests/bench/run

# Redis' own test suites against the image's static Redis (about 35 min).
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
