#!/bin/sh
# Install every Debian package that building, testing, benchmarking and the
# demo of mistok need. Idempotent: quick when everything is present.
# Non-interactive; stops and disables the system services the packages start,
# so nothing of theirs listens on standard ports afterwards.
set -eu

PKGS="build-essential make pkg-config
libetpan-dev libgmime-3.0-dev libglib2.0-dev libcurl4-gnutls-dev
libsqlite3-dev sqlite3 libical-dev libgnutls28-dev gnutls-bin
libcmocka-dev tzdata
dovecot-core dovecot-imapd dovecot-lmtpd postfix openssl ca-certificates
valgrind clang libclang-rt-14-dev
python3 python3-icalendar
isync notmuch
iproute2 procps psmisc curl time groff-base
chromium"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done

if [ -z "$missing" ]; then
	echo "install-deps: all packages present"
	exit 0
fi

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages:$missing" >&2
	echo "install-deps: run as root:" >&2
	echo "  apt-get install -y$missing" >&2
	exit 1
fi

echo "install-deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
echo "postfix postfix/main_mailer_type select No configuration" |
    debconf-set-selections
echo "postfix postfix/mailname string localhost" | debconf-set-selections

# Keep package scripts from starting services (no init system in containers,
# and nothing should listen on the standard ports anyway).
policy=/usr/sbin/policy-rc.d
own_policy=no
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' > "$policy"
	chmod 755 "$policy"
	own_policy=yes
fi

apt-get update -qq || apt-get update
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing

[ "$own_policy" = yes ] && rm -f "$policy"

# Stop and disable what the packages may have started anyway.
for svc in dovecot postfix; do
	if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
		systemctl disable --now "$svc" >/dev/null 2>&1 || true
	fi
	if [ -x "/etc/init.d/$svc" ]; then
		"/etc/init.d/$svc" stop >/dev/null 2>&1 || true
	fi
done
pkill -x dovecot 2>/dev/null || true
postfix stop >/dev/null 2>&1 || true
echo "install-deps: done"
