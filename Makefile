# mistok — build, test, demo, benchmark, install.
#
#   make            build mistokd and mistok
#   make check      install missing packages, build, run every test
#   make demo       install, build, run the demo on the local mail rig
#   make conformance  run against ../shared/corpora when it exists
#   make bench      benchmarks side by side with mbsync / notmuch
#   make fuzz       libFuzzer targets (FUZZ_SECONDS each)
#   make install    PREFIX=/usr/local DESTDIR= SYSCONFDIR=/etc

PREFIX		?= /usr/local
SYSCONFDIR	?= /etc
BINDIR		?= $(PREFIX)/bin
SBINDIR		?= $(PREFIX)/sbin
DATADIR		?= $(PREFIX)/share
MANDIR		?= $(DATADIR)/man
DESTDIR		?=

CC		?= cc
BUILD		?= build
CORPORA		?= ../shared/corpora
FUZZ_SECONDS	?= 300

PKGS		:= gmime-3.0 libetpan libcurl sqlite3 libical gnutls
# Library headers as system headers: our -Werror is for our code only.
PKG_CFLAGS	:= $(shell pkg-config --cflags $(PKGS) 2>/dev/null | \
			sed 's/-I/-isystem /g')
PKG_LIBS	:= $(shell pkg-config --libs $(PKGS) 2>/dev/null) -pthread
CMOCKA_LIBS	:= $(shell pkg-config --libs cmocka 2>/dev/null)

WARN		:= -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
		   -Wmissing-prototypes -Wpointer-arith -Wno-unused-parameter
CFLAGS		?= -O2 -g
ALL_CFLAGS	= -std=c11 -D_GNU_SOURCE -pthread $(WARN) $(CFLAGS) $(PKG_CFLAGS) \
		  -DSYSCONFDIR='"$(SYSCONFDIR)"' -DDATADIR='"$(DATADIR)"' \
		  -Idaemon
SAN		:= -fsanitize=address,undefined -fno-omit-frame-pointer \
		   -fno-sanitize-recover=undefined

MAINS		:= daemon/mistokd.c daemon/mistok.c $(wildcard daemon/mistok_*.c)
LIB_SRCS	:= $(filter-out $(MAINS),$(wildcard daemon/*.c))
CLI_SRCS	:= daemon/mistok.c $(wildcard daemon/mistok_*.c)
UNIT_SRCS	:= $(wildcard tests/unit/test_*.c)
HELPER_SRCS	:= $(wildcard tests/integration/*.c)
FUZZ_SRCS	:= $(wildcard tests/fuzz/fuzz_*.c)
HDRS		:= $(wildcard daemon/*.h tests/unit/*.h)

# Quiet by default; make V=1 shows every command.
ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-6s %s\n' $(1) $(2)
endif

# $(call objs,VARIANT-DIR,SOURCES)
objs		= $(patsubst %.c,$(1)/%.o,$(2))

LIB		:= $(BUILD)/libmistok.a
ASAN_LIB	:= $(BUILD)/asan/libmistok.a
UNIT_BINS	:= $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
ASAN_BINS	:= $(patsubst tests/unit/%.c,$(BUILD)/asan/tests/%,$(UNIT_SRCS))
HELPER_BINS	:= $(patsubst tests/integration/%.c,$(BUILD)/tests/%,$(HELPER_SRCS))
FUZZ_BINS	:= $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRCS))

# Keep test objects: they are intermediates make would otherwise delete.
.SECONDARY:

.PHONY: FORCE all deps check unit integration conformance demo bench fuzz \
	install uninstall clean tests

all: $(BUILD)/mistokd $(BUILD)/mistok

deps:
	@sh contrib/install-deps.sh

# Rebuild when the flags change (e.g. another PREFIX compiles in another
# DATADIR): the file changes only when its content would.
$(BUILD)/.cflags: FORCE
	@mkdir -p $(BUILD)
	@echo '$(ALL_CFLAGS)' | cmp -s - $@ || echo '$(ALL_CFLAGS)' > $@
FORCE:

# Objects: normal and sanitizer variants.
$(BUILD)/%.o: %.c $(HDRS) $(BUILD)/.cflags
	@mkdir -p $(dir $@)
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/asan/%.o: %.c $(HDRS) $(BUILD)/.cflags
	@mkdir -p $(dir $@)
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(SAN) -c -o $@ $<

$(LIB): $(call objs,$(BUILD),$(LIB_SRCS))
	@rm -f $@
	$(call msg,AR,$@)
	$(Q)ar rcs $@ $^

$(ASAN_LIB): $(call objs,$(BUILD)/asan,$(LIB_SRCS))
	@rm -f $@
	$(call msg,AR,$@)
	$(Q)ar rcs $@ $^

$(BUILD)/mistokd: $(BUILD)/daemon/mistokd.o $(LIB)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/mistok: $(call objs,$(BUILD),$(CLI_SRCS)) $(LIB)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(LIB)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS) $(CMOCKA_LIBS)

$(BUILD)/asan/tests/%: $(BUILD)/asan/tests/unit/%.o $(ASAN_LIB)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(PKG_LIBS) $(CMOCKA_LIBS)

$(HELPER_BINS): $(BUILD)/tests/%: $(BUILD)/tests/integration/%.o $(LIB)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS)

tests: all $(UNIT_BINS) $(ASAN_BINS) $(HELPER_BINS)

# The one command CI runs: packages, build, unit tests (plain and under
# ASan + UBSan), integration tests on the real mail rig, conformance when
# the corpora are there. Ends with "N passed, N failed".
check: deps
	@$(MAKE) --no-print-directory tests
	@BUILD=$(BUILD) CORPORA=$(CORPORA) sh tests/check.sh all

unit: tests
	@BUILD=$(BUILD) sh tests/check.sh unit

integration: tests
	@BUILD=$(BUILD) sh tests/check.sh integration

conformance: tests
	@BUILD=$(BUILD) CORPORA=$(CORPORA) sh tests/check.sh conformance

demo: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) sh contrib/demo/demo.sh

bench: deps
	@$(MAKE) --no-print-directory all $(HELPER_BINS)
	@BUILD=$(BUILD) sh contrib/bench/run.sh

# libFuzzer needs clang; each target runs FUZZ_SECONDS.
FUZZ_CFLAGS	= -std=c11 -D_GNU_SOURCE -g -O1 $(PKG_CFLAGS) -Idaemon \
		  -DSYSCONFDIR='"$(SYSCONFDIR)"' -DDATADIR='"$(DATADIR)"' \
		  -fsanitize=fuzzer-no-link,address,undefined
$(BUILD)/fuzz/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(call msg,CLANG,$@)
	$(Q)clang $(FUZZ_CFLAGS) -c -o $@ $<
$(BUILD)/fuzz/libmistok.a: $(call objs,$(BUILD)/fuzz,$(LIB_SRCS))
	@rm -f $@
	$(call msg,AR,$@)
	$(Q)ar rcs $@ $^
$(BUILD)/fuzz/%: $(BUILD)/fuzz/tests/fuzz/%.o $(BUILD)/fuzz/libmistok.a
	$(call msg,LD,$@)
	$(Q)clang -fsanitize=fuzzer,address,undefined -o $@ $^ \
	    $(filter-out -specs=%,$(PKG_LIBS))

fuzz: deps
	@$(MAKE) --no-print-directory $(FUZZ_BINS)
	@BUILD=$(BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/fuzz/run.sh \
	    $(FUZZ_BINS)

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) \
	    $(DESTDIR)$(DATADIR)/mistok/templates/en \
	    $(DESTDIR)$(DATADIR)/mistok/templates/uk \
	    $(DESTDIR)$(DATADIR)/mistok/holidays \
	    $(DESTDIR)$(SYSCONFDIR)/mistok \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(MANDIR)/man8
	install -m 755 $(BUILD)/mistokd $(DESTDIR)$(SBINDIR)/mistokd
	install -m 755 $(BUILD)/mistok $(DESTDIR)$(BINDIR)/mistok
	for d in en uk; do for f in templates/$$d/*; do \
	    [ -f "$$f" ] || continue; \
	    install -m 644 "$$f" $(DESTDIR)$(DATADIR)/mistok/templates/$$d/; \
	done; done
	install -m 644 contrib/holidays/*.txt $(DESTDIR)$(DATADIR)/mistok/holidays/
	install -m 644 config/mistok.conf.example \
	    $(DESTDIR)$(SYSCONFDIR)/mistok/mistok.conf.example
	install -m 644 contrib/man/mistok.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 644 contrib/man/mistok.conf.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 644 contrib/man/mistokd.8 $(DESTDIR)$(MANDIR)/man8/

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/mistokd $(DESTDIR)$(BINDIR)/mistok \
	    $(DESTDIR)$(MANDIR)/man1/mistok.1 \
	    $(DESTDIR)$(MANDIR)/man5/mistok.conf.5 \
	    $(DESTDIR)$(MANDIR)/man8/mistokd.8 \
	    $(DESTDIR)$(SYSCONFDIR)/mistok/mistok.conf.example
	rm -rf $(DESTDIR)$(DATADIR)/mistok

clean:
	rm -rf $(BUILD)
