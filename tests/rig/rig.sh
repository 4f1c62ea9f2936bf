#!/bin/bash
# tests/rig/rig.sh - a throw-away mail rig on loopback for mistok's tests.
#
# One rig = one directory ($RIG_DIR) and one block of ports ($RIG_BASE_PORT
# + offset). It runs, all on 127.0.0.1 and as ad-hoc instances that share
# nothing with the system's own mail setup:
#   - Dovecot "main": IMAP (STARTTLS), IMAPS, LMTP, SASL socket for Postfix;
#   - three small Dovecot instances whose only job is to present a bad TLS
#     certificate on IMAPS (a Dovecot listener cannot have a certificate of
#     its own, and all listeners share 127.0.0.1, so one instance each);
#   - Postfix: MX/relay port, submission (STARTTLS + AUTH), submissions
#     (implicit TLS + AUTH), and submission ports with bad certificates;
#     local domains go over LMTP to Dovecot, everything else to
#   - smtp-sink, "the internet", which captures each mail as a file;
#   - oauth2_introspect.py, the identity provider's token-introspection
#     endpoint (RFC 7662) behind Dovecot's oauth2 passdb: XOAUTH2 and
#     OAUTHBEARER with a per-user access token, on IMAP and (through
#     Dovecot's SASL) on submission.
#
# Port offsets (port = RIG_BASE_PORT + offset; offsets stay below 1000, so
# rigs whose base ports differ by 1000 or more can run side by side):
#   +24   LMTP                 Dovecot, no TLS, no auth
#   +25   SMTP (MX / relay)    Postfix, STARTTLS offered, no AUTH; relays
#                              for 127.0.0.0/8 like a trusted local client
#   +26   smtp-sink            "the internet": Postfix's default transport
#   +80   token introspection  HTTP (no TLS), POST /introspect, for Dovecot
#   +143  IMAP                 Dovecot, STARTTLS, cert for localhost
#   +465  submissions          Postfix, implicit TLS, AUTH required
#   +587  submission           Postfix, STARTTLS required, AUTH required
#   +588  submission           as +587, cert from an untrusted CA
#   +589  submission           as +587, cert for host "other.test"
#   +590  submission           as +587, expired cert
#   +993  IMAPS                Dovecot, implicit TLS, cert for localhost
#   +994  IMAPS                cert for localhost from an untrusted CA
#   +995  IMAPS                cert from the rig CA for host "other.test"
#   +996  IMAPS                cert from the rig CA for localhost, expired
# The good certificate names DNS:localhost and IP:127.0.0.1 and is issued
# by the rig's CA ($RIG_CA_FILE). Behind every bad listener there is a real
# server with the same users, so a client that forgets to verify would log
# in: a refusal test then fails loudly instead of timing out.
#
# Usage: rig.sh COMMAND [ARGS]   (run "rig.sh help"; see README.md)
# Environment: RIG_BASE_PORT (20000), RIG_DIR (/tmp/mistok-rig-$BASE),
# RIG_USERS_FILE (users.txt beside this script), RIG_WAIT (15 s, for the
# wait-* commands). Must run as root (Postfix needs it).
#
# Processes are never found by name: each daemon is its own session leader
# and the rig records the session ids; a stale process is killed only if it
# is in a recorded session and visibly belongs to this rig. Listeners are
# checked with ss(8), never by connecting (a probe makes Dovecot spawn login
# processes that delay its shutdown).

set -eEuo pipefail
umask 022
# A command failing under "set -e" would end the script without a word.
trap 'rc=$?; [ "$BASHPID" != "$$" ] ||
	echo "rig: error (exit $rc) at line $LINENO: $BASH_COMMAND" >&2' ERR

RIG_SH=$(readlink -f "${BASH_SOURCE[0]}")
RIG_SRC=$(dirname "$RIG_SH")
RIG_BASE_PORT=${RIG_BASE_PORT:-20000}
case $RIG_BASE_PORT in
*[!0-9]* | '') echo "rig: RIG_BASE_PORT must be a number" >&2; exit 2 ;;
esac
if [ "$RIG_BASE_PORT" -lt 1024 ] || [ "$RIG_BASE_PORT" -gt 64000 ]; then
	echo "rig: RIG_BASE_PORT must be within 1024..64000" >&2
	exit 2
fi
RIG_DIR=${RIG_DIR:-/tmp/mistok-rig-$RIG_BASE_PORT}
case $RIG_DIR in
/*) ;;
*) RIG_DIR=$PWD/$RIG_DIR ;;
esac
RIG_DIR=${RIG_DIR%/}
RIG_USERS_FILE=${RIG_USERS_FILE:-$RIG_SRC/users.txt}
RIG_WAIT=${RIG_WAIT:-15}

HOST=127.0.0.1
# Names this rig's processes (Dovecot's instance_name shows in their
# titles): base port and directory, since two rigs may share a base port
# (not at the same time) and must never take each other's processes.
TAG=mistok-rig-$RIG_BASE_PORT-$(printf '%s' "$RIG_DIR" | sha256sum | cut -c1-8)

P_LMTP=$((RIG_BASE_PORT + 24))
P_SMTP=$((RIG_BASE_PORT + 25))
P_SINK=$((RIG_BASE_PORT + 26))
P_OAUTH2=$((RIG_BASE_PORT + 80))
P_IMAP=$((RIG_BASE_PORT + 143))
P_SUBMISSIONS=$((RIG_BASE_PORT + 465))
P_SUBMISSION=$((RIG_BASE_PORT + 587))
P_SUB_UNTRUSTED=$((RIG_BASE_PORT + 588))
P_SUB_WRONGHOST=$((RIG_BASE_PORT + 589))
P_SUB_EXPIRED=$((RIG_BASE_PORT + 590))
P_IMAPS=$((RIG_BASE_PORT + 993))
P_IMAPS_UNTRUSTED=$((RIG_BASE_PORT + 994))
P_IMAPS_WRONGHOST=$((RIG_BASE_PORT + 995))
P_IMAPS_EXPIRED=$((RIG_BASE_PORT + 996))

# Dovecot instances: name, IMAPS port, certificate (tls/NAME.{crt,key}).
BAD_INSTANCES="untrusted wronghost expired"
imaps_port_of() {
	case $1 in
	untrusted) echo "$P_IMAPS_UNTRUSTED" ;;
	wronghost) echo "$P_IMAPS_WRONGHOST" ;;
	expired) echo "$P_IMAPS_EXPIRED" ;;
	esac
}

TLS=$RIG_DIR/tls
PWDIR=$RIG_DIR/passwords
DCDIR=$RIG_DIR/dovecot
PFDIR=$RIG_DIR/postfix
PFSPOOL=$RIG_DIR/postfix-spool
PFDATA=$RIG_DIR/postfix-data
SINKDIR=$RIG_DIR/sink
MAILDIR=$RIG_DIR/mail
LOGDIR=$RIG_DIR/log
OADIR=$RIG_DIR/oauth2
STATE=$RIG_DIR/state

# Mail and the sink's captures belong to an unprivileged account; Dovecot
# refuses root for mail, and this needs no account of our own.
MAIL_USER=nobody
SINK_USER=nobody
OAUTH2_USER=nobody
PF_OWNER=postfix

DOVECOT=/usr/sbin/dovecot
DOVEADM=/usr/bin/doveadm
LDA=/usr/lib/dovecot/dovecot-lda
SMTP_SINK=/usr/sbin/smtp-sink
PYTHON=/usr/bin/python3
INTROSPECT=$RIG_SRC/oauth2_introspect.py

say() { printf 'rig: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# ---------------------------------------------------------------- users

# valid_user ADDR: lower-case local@domain, no "+" (the detail delimiter).
valid_user() {
	[[ $1 =~ ^[a-z0-9][a-z0-9._-]*@[a-z0-9][a-z0-9.-]*\.[a-z]+$ ]]
}

# rig_users: every user, one a line: users.txt, then those added with
# add-user ($RIG_DIR/users.extra). First column; '#' starts a comment.
rig_users() {
	local f
	for f in "$RIG_USERS_FILE" "$RIG_DIR/users.extra"; do
		[ -f "$f" ] || continue
		sed -e 's/#.*//' "$f" | awk 'NF { print tolower($1) }'
	done | awk '!seen[$0]++'
}

rig_domains() {
	rig_users | sed 's/.*@//' | awk '!seen[$0]++'
}

check_users() {
	local u n=0
	[ -f "$RIG_USERS_FILE" ] || die "no users file $RIG_USERS_FILE"
	for u in $(rig_users); do
		valid_user "$u" || die "bad user address '$u' in users list"
		n=$((n + 1))
	done
	[ "$n" -gt 0 ] || die "no users in $RIG_USERS_FILE"
}

known_user() {
	rig_users | grep -qxF -- "$1"
}

# ------------------------------------------------------------ processes

# pid_alive PID: the process exists (and is not a zombie).
pid_alive() {
	local st
	[ -n "$1" ] && [ -r "/proc/$1/stat" ] || return 1
	st=$(sed -e 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) ||
		return 1
	[ -n "$st" ] && [ "$st" != Z ]
}

# rig_owned PID: the process visibly belongs to this rig: its command line
# names a path in the rig directory or the Dovecot instance tag (process
# titles "dovecot-$TAG/imap-login"), or it works inside the rig directory
# (Postfix daemons sit in the queue directory).
rig_owned() {
	local cmd cwd
	cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline") || return 1
	case $cmd in
	*"$RIG_DIR/"* | *"$TAG/"* | *"$TAG-"*) return 0 ;;
	esac
	cwd=$(readlink "/proc/$1/cwd" 2>/dev/null) || return 1
	case $cwd in
	"$RIG_DIR" | "$RIG_DIR"/*) return 0 ;;
	esac
	return 1
}

# live_in_sessions SID...: live (not zombie) processes of those sessions,
# whoever they belong to; cheap enough to poll.
live_in_sessions() {
	[ $# -gt 0 ] || return 0
	ps -e -o pid= -o sid= -o stat= | awk -v s=" $* " -v me="$$" \
		'index(s, " " $2 " ") && $3 !~ /^Z/ && $1 != me { print $1 }'
}

# session_pids SID...: processes of those sessions that belong to the rig.
session_pids() {
	local pid
	for pid in $(live_in_sessions "$@"); do
		if rig_owned "$pid"; then echo "$pid"; fi
	done
}

# Each daemon's session id is kept in $STATE/sid.COMPONENT.
record_sid() {
	local sid
	sid=$(ps -o sid= -p "$2" 2>/dev/null | tr -d ' ') || true
	if [ -n "$sid" ]; then
		echo "$sid" >"$STATE/sid.$1"
	fi
}

recorded_sids() {
	cat "$STATE"/sid.* 2>/dev/null || true
}

# listening PORT...: which of the ports have a listener (per ss, no probe).
listening_ports() {
	ss -Hltn 2>/dev/null | awk '{ print $4 }' | sed -n 's/^127\.0\.0\.1://p'
}

all_ports() {
	echo "$P_LMTP $P_SMTP $P_SINK $P_OAUTH2 $P_IMAP $P_SUBMISSIONS" \
		"$P_SUBMISSION $P_SUB_UNTRUSTED $P_SUB_WRONGHOST" \
		"$P_SUB_EXPIRED $P_IMAPS $P_IMAPS_UNTRUSTED $P_IMAPS_WRONGHOST" \
		"$P_IMAPS_EXPIRED"
}

# wait_ports up|down SECS PORT...: until all listen / none listens.
wait_ports() {
	local want=$1 secs=$2 i p l ok
	shift 2
	for ((i = 0; i < secs * 10; i++)); do
		l=" $(listening_ports | tr '\n' ' ') "
		ok=1
		for p in "$@"; do
			case $want:$l in
			up:*" $p "*) ;;
			up:*) ok=0 ;;
			down:*" $p "*) ok=0 ;;
			esac
		done
		[ $ok = 1 ] && return 0
		sleep 0.1
	done
	return 1
}

# need_free PORT...: die, naming the holders, when one of the ports is
# taken (by another rig on an overlapping base port, say).
need_free() {
	local p l busy=
	l=" $(listening_ports | tr '\n' ' ') "
	for p in "$@"; do
		case $l in *" $p "*) busy="$busy $p" ;; esac
	done
	[ -n "$busy" ] || return 0
	die "port(s)$busy already in use: $(ss -Hltnp 2>/dev/null |
		awk -v ports=" $busy " '{ n = split($4, a, ":")
			if (index(ports, " " a[n] " ")) print $4, $6 }' |
		tr '\n' ' ')"
}

# port_holders PORT...: pids (of this rig) holding a listener on the ports.
port_holders() {
	local p
	for p in $(ss -Hltnp 2>/dev/null | awk -v ports=" $* " '{
		n = split($4, a, ":")
		if (index(ports, " " a[n] " ")) print
	}' | grep -o 'pid=[0-9]*' | sed 's/pid=//' | sort -u); do
		if rig_owned "$p"; then echo "$p"; fi
	done
}

# kill_session NAME: SIGKILL what is left of a crashed part's session
# (children of a killed master keep its listeners open) and wait for it.
kill_session() {
	local f=$STATE/sid.$1 pids i p
	[ -f "$f" ] || return 0
	pids=$(session_pids "$(cat "$f")")
	if [ -n "$pids" ]; then
		kill -9 $pids 2>/dev/null || true
		for ((i = 0; i < 60; i++)); do
			pids=$(for p in $pids; do
				if pid_alive "$p"; then echo "$p"; fi
			done)
			[ -z "$pids" ] && break
			sleep 0.05
		done
	fi
	rm -f "$f"
}

# reap SECS: wait for every process of the recorded sessions to go, then
# SIGKILL whatever is left (also stray holders of the rig's ports).
reap() {
	local secs=$1 i left sids
	sids=$(recorded_sids | tr '\n' ' ')
	for ((i = 0; i < secs * 20; i++)); do
		[ -n "$(live_in_sessions $sids)" ] || break
		sleep 0.05
	done
	left=$({ session_pids $sids; port_holders $(all_ports); } |
		sort -u | tr '\n' ' ')
	if [ -n "${left// /}" ]; then
		say "killing leftover processes: $left"
		kill -9 $left 2>/dev/null || true
		sleep 0.2
	fi
	rm -f "$STATE"/sid.*
}

# --------------------------------------------------------------- prepare

# put FILE: stdin replaces FILE if it differs; returns 0 if it changed.
put() {
	local tmp=$1.new.$$
	cat >"$tmp"
	if [ -f "$1" ] && cmp -s "$tmp" "$1"; then
		rm -f "$tmp"
		return 1
	fi
	mv -f "$tmp" "$1"
	return 0
}

# cert NAME CN SAN ISSUER [expired]: leaf key+cert in $TLS/NAME.{key,crt}.
cert() {
	local name=$1 cn=$2 san=$3 ca=$4 ext=$TLS/$1.ext
	printf '%s\n' "subjectAltName=$san" \
		"basicConstraints=critical,CA:FALSE" \
		"keyUsage=critical,digitalSignature,keyEncipherment" \
		"extendedKeyUsage=serverAuth" >"$ext"
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
		-nodes -keyout "$TLS/$name.key" -subj "/O=mistok rig/CN=$cn" \
		-out "$TLS/$name.csr" 2>/dev/null
	if [ "${5:-}" = expired ]; then
		# openssl x509 cannot back-date; openssl ca can.
		local d=$TLS/ca-db
		mkdir -p "$d"
		: >"$d/index.txt"
		openssl rand -hex 8 >"$d/serial"
		printf '%s\n' "[ca]" "default_ca = rig" "[rig]" \
			"database = $d/index.txt" "new_certs_dir = $d" \
			"serial = $d/serial" "default_md = sha256" \
			"policy = any" "unique_subject = no" \
			"[any]" "commonName = supplied" \
			"organizationName = optional" >"$d/ca.cnf"
		openssl ca -batch -notext -config "$d/ca.cnf" \
			-cert "$TLS/$ca.crt" -keyfile "$TLS/$ca.key" \
			-startdate 20200101000000Z -enddate 20200201000000Z \
			-extfile "$ext" -in "$TLS/$name.csr" \
			-out "$TLS/$name.crt" >/dev/null 2>&1
		rm -rf "$d"
	else
		openssl x509 -req -in "$TLS/$name.csr" -CA "$TLS/$ca.crt" \
			-CAkey "$TLS/$ca.key" -set_serial "0x$(openssl rand -hex 8)" \
			-days 825 -extfile "$ext" -out "$TLS/$name.crt" 2>/dev/null
	fi
	rm -f "$TLS/$name.csr" "$ext"
}

ca_cert() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
		-nodes -keyout "$TLS/$1.key" -out "$TLS/$1.crt" -days 3650 \
		-subj "/O=mistok rig/CN=$2" \
		-addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
}

# make_tls: the rig CA, an untrusted CA and four server certificates.
# Made once per rig directory; made anew when a good one nears its end.
make_tls() {
	# The good leaves were made together and end first (825 days).
	if [ -f "$TLS/expired.crt" ] && openssl x509 -checkend 86400 -noout \
		-in "$TLS/localhost.crt" >/dev/null 2>&1; then
		return 0
	fi
	say "making test CA and certificates in $TLS"
	rm -rf "$TLS"
	mkdir -p "$TLS"
	ca_cert ca "mistok rig test CA"
	ca_cert other-ca "mistok rig untrusted CA"
	cert localhost localhost "DNS:localhost,IP:127.0.0.1" ca
	cert untrusted localhost "DNS:localhost,IP:127.0.0.1" other-ca
	cert wronghost other.test "DNS:other.test" ca
	cert expired localhost "DNS:localhost,IP:127.0.0.1" ca expired
	[ -s "$TLS/expired.crt" ] || die "could not make the TLS files"
	chmod 600 "$TLS"/*.key
}

# new_password: 24 hex digits, safe in any config file and on any line.
new_password() {
	od -An -N12 -tx1 /dev/urandom | tr -d ' \n'
}

# make_passwords: one password per user, made once and kept in
# $PWDIR/USER (no newline; an existing file is kept, so a test may put its
# own there before start), plus the Dovecot passwd-file (SHA512-CRYPT, a
# salt fixed per user so the file stays the same between starts), a curl
# config per user ($PWDIR/USER.curl, for "curl -K") and a netrc.
make_passwords() {
	local u pw salt line users changed=0
	users=$(rig_users)
	mkdir -p "$PWDIR"
	chmod 700 "$PWDIR"
	{
		for u in $users; do
			if [ ! -s "$PWDIR/$u" ]; then
				(umask 077 && new_password >"$PWDIR/$u")
			fi
			# openssl per user is slow: keep the line while the
			# password file is not newer than the passwd-file.
			line=
			if [ -f "$DCDIR/passwd" ] &&
				[ ! "$PWDIR/$u" -nt "$DCDIR/passwd" ]; then
				line=$(awk -F: -v u="$u" '$1 == u { print; exit }' \
					"$DCDIR/passwd")
			fi
			if [ -z "$line" ]; then
				pw=$(cat "$PWDIR/$u")
				salt=$(printf '%s' "$u" | sha256sum | cut -c1-16)
				line="$u:{SHA512-CRYPT}$(printf '%s\n' "$pw" |
					openssl passwd -6 -salt "$salt" -stdin)::::::"
			fi
			echo "$line"
		done
	} | put "$DCDIR/passwd" && changed=1
	chmod 640 "$DCDIR/passwd"
	chgrp dovecot "$DCDIR/passwd" 2>/dev/null || true
	if [ $changed = 1 ] || [ ! -f "$PWDIR/netrc" ]; then
		(
			umask 077
			for u in $users; do
				pw=$(cat "$PWDIR/$u")
				printf 'user = "%s:%s"\n' "$u" "$pw" >"$PWDIR/$u.curl"
				printf 'machine %s login %s password %s\n' \
					127.0.0.1 "$u" "$pw" localhost "$u" "$pw"
			done >"$PWDIR/netrc"
		)
	fi
	[ $changed = 1 ]
}

# new_token: an opaque access token, 40 hex digits (an RFC 6750 b64token).
new_token() {
	od -An -N20 -tx1 /dev/urandom | tr -d ' \n'
}

# make_tokens: one OAuth2 access token per user, made once and kept in
# $PWDIR/USER.token (no newline; an existing file is kept, so a test may
# put its own there before start), and the endpoint's copy of them all,
# $OADIR/tokens ("USER TOKEN" lines, readable by the endpoint's user
# only). Returns 0 if that copy changed (the endpoint rereads it itself).
make_tokens() {
	local u rc
	mkdir -p "$OADIR"
	chown "$OAUTH2_USER" "$OADIR"
	chmod 700 "$OADIR"
	for u in $(rig_users); do
		if [ ! -s "$PWDIR/$u.token" ]; then
			(umask 077 && new_token >"$PWDIR/$u.token")
		fi
		case $(cat "$PWDIR/$u.token") in
		*[!A-Za-z0-9._~+/=-]*)
			die "bad token in $PWDIR/$u.token (want an RFC 6750 b64token)"
			;;
		esac
	done
	(
		umask 077
		for u in $(rig_users); do
			printf '%s %s\n' "$u" "$(cat "$PWDIR/$u.token")"
		done | put "$OADIR/tokens"
	) && rc=0 || rc=1
	chown "$OAUTH2_USER" "$OADIR/tokens"
	chmod 600 "$OADIR/tokens"
	return $rc
}

# make_maildirs: each user's Maildir, made before Dovecot first sees it
# (when Dovecot creates INBOX itself, it leaves a stray "maildirfolder"
# file in the Maildir root, which marks a Maildir++ subfolder).
make_maildirs() {
	local u d
	for u in $(rig_users); do
		d=$MAILDIR/${u#*@}/${u%@*}
		[ -d "$d/cur" ] && continue
		mkdir -p "$d/cur" "$d/new" "$d/tmp"
		chown -R "$MAIL_USER:$(id -gn "$MAIL_USER")" "$MAILDIR/${u#*@}"
		chmod 700 "$MAILDIR/${u#*@}" "$d" "$d/cur" "$d/new" "$d/tmp"
	done
}

# dovecot_common: settings every Dovecot instance shares.
dovecot_common() {
	local uid gid
	uid=$(id -u "$MAIL_USER")
	gid=$(id -g "$MAIL_USER")
	cat <<EOF
# Generated by tests/rig/rig.sh; edits are lost at the next start.
listen = $HOST
ssl = required
ssl_min_protocol = TLSv1.2
# Shutdown takes 5-8 s while the stats writer is on.
stats_writer_socket_path =
# XOAUTH2 and OAUTHBEARER go to the oauth2 passdb, which asks the rig's
# token-introspection endpoint; PLAIN, LOGIN and lookups without a
# mechanism ("none": doveadm auth lookup, say) to the passwd-file.
auth_mechanisms = plain login xoauth2 oauthbearer
auth_verbose = yes
mail_uid = $uid
mail_gid = $gid
first_valid_uid = 1
first_valid_gid = 1
mail_location = maildir:$MAILDIR/%Ld/%Ln
mail_fsync = never
mail_max_userip_connections = 100
# Tests fail logins on purpose, and every client is 127.0.0.1: neither
# the 2 s delay of a failed login nor the growing per-IP penalty (up to
# 15 s, for everybody's next login) would test anything but patience.
auth_failure_delay = 0
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
recipient_delimiter = +
lda_mailbox_autocreate = yes
lda_mailbox_autosubscribe = yes
postmaster_address = postmaster@c4c.test
protocol lda {
  log_path = /dev/stderr
  info_log_path = /dev/stderr
}

passdb {
  driver = passwd-file
  mechanisms = plain login none
  args = scheme=SHA512-CRYPT username_format=%Lu $DCDIR/passwd
}
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = $DCDIR/oauth2.conf.ext
}
userdb {
  driver = passwd-file
  args = username_format=%Lu $DCDIR/passwd
  default_fields = uid=$uid gid=$gid home=$MAILDIR/%Ld/%Ln
}

namespace inbox {
  inbox = yes
  prefix =
  separator = /
  mailbox Drafts {
    special_use = \\Drafts
    auto = subscribe
  }
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
  mailbox Trash {
    special_use = \\Trash
    auto = subscribe
  }
}

# More passdbs (e.g. driver = oauth2 for an XOAUTH2 test) or any other
# setting go into files of their own here; "rig.sh reload" applies them.
!include_try $DCDIR/conf.d/*.conf
EOF
}

# dovecot_oauth2_conf: the oauth2 passdb's settings (db-oauth2): ask the
# rig's endpoint about every token, by POST; the token must be active and
# belong to the user named in the XOAUTH2 / OAUTHBEARER request.
dovecot_oauth2_conf() {
	cat <<EOF
# Generated by tests/rig/rig.sh; edits are lost at the next start.
introspection_mode = post
introspection_url = http://$HOST:$P_OAUTH2/introspect
force_introspection = yes
username_attribute = username
active_attribute = active
active_value = true
timeout_msecs = 5000
EOF
}

dovecot_main_conf() {
	cat <<EOF
# Generated by tests/rig/rig.sh; edits are lost at the next start.
instance_name = $TAG
base_dir = $RIG_DIR/run
state_dir = $STATE/dovecot
log_path = $LOGDIR/dovecot.log
protocols = imap lmtp
ssl_cert = <$TLS/localhost.crt
ssl_key = <$TLS/localhost.key
!include $DCDIR/common.conf

service imap-login {
  inet_listener imap {
    address = $HOST
    port = $P_IMAP
  }
  inet_listener imaps {
    address = $HOST
    port = $P_IMAPS
    ssl = yes
  }
}
service lmtp {
  inet_listener lmtp {
    address = $HOST
    port = $P_LMTP
  }
}
protocol lmtp {
  lmtp_save_to_detail_mailbox = no
}
service auth {
  # Postfix's SASL (smtpd_sasl_type = dovecot).
  unix_listener auth-postfix {
    mode = 0660
    user = $PF_OWNER
    group = $PF_OWNER
  }
}
EOF
}

# dovecot_bad_conf NAME: an instance with only IMAPS, on a bad certificate.
dovecot_bad_conf() {
	cat <<EOF
# Generated by tests/rig/rig.sh; edits are lost at the next start.
instance_name = $TAG-$1
base_dir = $RIG_DIR/run-$1
state_dir = $STATE/dovecot-$1
log_path = $LOGDIR/dovecot-$1.log
protocols = imap
ssl_cert = <$TLS/$1.crt
ssl_key = <$TLS/$1.key
!include $DCDIR/common.conf

service imap-login {
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    address = $HOST
    port = $(imaps_port_of "$1")
    ssl = yes
  }
}
EOF
}

postfix_main_cf() {
	cat <<EOF
# Generated by tests/rig/rig.sh; edits are lost at the next start.
compatibility_level = 3.6
queue_directory = $PFSPOOL
data_directory = $PFDATA
mail_owner = $PF_OWNER
setgid_group = postdrop
inet_interfaces = loopback-only
inet_protocols = ipv4
maillog_file = $LOGDIR/postfix.log
maillog_file_prefixes = /var, /dev/stdout, $LOGDIR
syslog_name = postfix-$TAG
myhostname = mx.rig.test
mydomain = rig.test
myorigin = \$myhostname
mydestination =
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
local_recipient_maps =
biff = no
append_dot_mydomain = no
readme_directory = no
message_size_limit = 52428800
mailbox_size_limit = 0
smtpd_peername_lookup = no

# Partners' and coordinators' domains: Dovecot over LMTP.
virtual_mailbox_domains = $(rig_domains | tr '\n' ' ')
virtual_mailbox_maps = texthash:$PFDIR/vmailbox
virtual_transport = lmtp:inet:$HOST:$P_LMTP
recipient_delimiter = +
# Everything else: the sink.
default_transport = smtp:[$HOST]:$P_SINK
relay_transport = \$default_transport
smtp_tls_security_level = none
lmtp_tls_security_level = none
smtp_connect_timeout = 5s
lmtp_connect_timeout = 5s

# Short timers, so that retry tests take seconds.
queue_run_delay = 2s
minimal_backoff_time = 2s
maximal_backoff_time = 10s
maximal_queue_lifetime = 10m
bounce_queue_lifetime = 10m
delay_warning_time = 0

smtpd_tls_chain_files = $TLS/localhost.key, $TLS/localhost.crt
smtpd_tls_security_level = may
smtpd_tls_auth_only = yes
smtpd_tls_received_header = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = $RIG_DIR/run/auth-postfix
smtpd_sasl_auth_enable = no
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated,
    reject_unauth_destination
EOF
}

postfix_master_cf() {
	local sub="-o smtpd_sasl_auth_enable=yes"
	sub="$sub -o smtpd_tls_security_level=encrypt"
	sub="$sub -o smtpd_client_restrictions=permit_sasl_authenticated,reject"
	sub="$sub -o smtpd_relay_restrictions=permit_sasl_authenticated,reject"
	cat <<EOF
# Generated by tests/rig/rig.sh; edits are lost at the next start.
# No chroot anywhere: the rig's paths are absolute.
# service      type  private unpriv chroot wakeup maxproc command
$HOST:$P_SMTP  inet  n       -      n      -      -       smtpd
$HOST:$P_SUBMISSION inet n   -      n      -      -       smtpd
  -o syslog_name=postfix-$TAG/submission $sub
$HOST:$P_SUBMISSIONS inet n  -      n      -      -       smtpd
  -o syslog_name=postfix-$TAG/submissions $sub
  -o smtpd_tls_wrappermode=yes
$HOST:$P_SUB_UNTRUSTED inet n -     n      -      -       smtpd
  -o syslog_name=postfix-$TAG/untrusted $sub
  -o smtpd_tls_chain_files=$TLS/untrusted.key,$TLS/untrusted.crt
$HOST:$P_SUB_WRONGHOST inet n -     n      -      -       smtpd
  -o syslog_name=postfix-$TAG/wronghost $sub
  -o smtpd_tls_chain_files=$TLS/wronghost.key,$TLS/wronghost.crt
$HOST:$P_SUB_EXPIRED inet n  -      n      -      -       smtpd
  -o syslog_name=postfix-$TAG/expired $sub
  -o smtpd_tls_chain_files=$TLS/expired.key,$TLS/expired.crt
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
}

# prepare: directories, TLS, passwords, configs. Sets DC_CHANGED and
# PF_CHANGED to 1 when the running daemons need a reload.
DC_CHANGED=0
PF_CHANGED=0
prepare() {
	local d name
	[ "$(id -u)" = 0 ] || die "must run as root (Postfix and Dovecot need it)"
	for c in "$DOVECOT" "$DOVEADM" "$LDA" "$SMTP_SINK" postfix openssl ss; do
		command -v "$c" >/dev/null || die "missing $c"
	done
	check_users
	if [ ${#RIG_DIR} -gt 70 ]; then
		die "RIG_DIR is too long for unix socket paths: $RIG_DIR"
	fi
	mkdir -p "$RIG_DIR"
	chmod 755 "$RIG_DIR"
	# Unprivileged daemons (dovenull, postfix, nobody) must reach it.
	d=$RIG_DIR
	while [ "$d" != / ]; do
		d=$(dirname "$d")
		if [ "$(stat -c %A "$d" | cut -c10)" != x ] &&
			[ "$(stat -c %A "$d" | cut -c10)" != t ]; then
			die "$d is not searchable by others; chmod o+x it"
		fi
	done
	mkdir -p "$DCDIR/conf.d" "$PFDIR" "$PFSPOOL" "$PFDATA" "$SINKDIR" \
		"$MAILDIR" "$LOGDIR" "$STATE"
	chown "$PF_OWNER" "$PFDATA"
	chmod 700 "$PFDATA"
	chown "$MAIL_USER:$(id -gn "$MAIL_USER")" "$MAILDIR"
	chmod 700 "$MAILDIR"
	chown "$SINK_USER" "$SINKDIR"
	make_tls
	make_passwords && DC_CHANGED=1 || true
	make_maildirs
	make_tokens || true
	dovecot_oauth2_conf | put "$DCDIR/oauth2.conf.ext" && DC_CHANGED=1 || true
	dovecot_common | put "$DCDIR/common.conf" && DC_CHANGED=1 || true
	dovecot_main_conf | put "$DCDIR/main.conf" && DC_CHANGED=1 || true
	for name in $BAD_INSTANCES; do
		dovecot_bad_conf "$name" | put "$DCDIR/$name.conf" &&
			DC_CHANGED=1 || true
	done
	postfix_main_cf | put "$PFDIR/main.cf" && PF_CHANGED=1 || true
	postfix_master_cf | put "$PFDIR/master.cf" && PF_CHANGED=1 || true
	rig_users | sed 's/$/ OK/' | put "$PFDIR/vmailbox" && PF_CHANGED=1 || true
	return 0
}

# ------------------------------------------------------------- dovecot

dc_conf() { echo "$DCDIR/$1.conf"; }
dc_pidfile() {
	if [ "$1" = main ]; then
		echo "$RIG_DIR/run/master.pid"
	else
		echo "$RIG_DIR/run-$1/master.pid"
	fi
}

# dc_pid NAME: pid of the instance's running master, or nothing.
dc_pid() {
	local pid
	pid=$(head -n1 "$(dc_pidfile "$1")" 2>/dev/null) || return 0
	pid_alive "$pid" || return 0
	case $(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") in
	*dovecot*"-c $(dc_conf "$1")"*) echo "$pid" ;;
	esac
	return 0
}

dc_start() {
	local name=$1 pid i
	pid=$(dc_pid "$name")
	if [ -n "$pid" ]; then
		if [ "$DC_CHANGED" = 1 ]; then
			kill -HUP "$pid"
		fi
		return 0
	fi
	# A crashed master leaves children and a pid file behind.
	kill_session "dovecot-$name"
	# A fresh base_dir: a stale socket nobody listens on any more (e.g.
	# anvil-auth-penalty, which dovecot_common switches off) costs every
	# login a 5 s connect retry.
	rm -rf "$(dirname "$(dc_pidfile "$name")")"
	if [ "$name" = main ]; then
		need_free "$P_LMTP" "$P_IMAP" "$P_IMAPS"
	else
		need_free "$(imaps_port_of "$name")"
	fi
	mkdir -p "$STATE/dovecot$([ "$name" = main ] || echo "-$name")"
	"$DOVECOT" -c "$(dc_conf "$name")" </dev/null \
		>>"$LOGDIR/dovecot-start.log" 2>&1 9>&- ||
		die "dovecot ($name) did not start; see $LOGDIR/dovecot*.log"
	# The daemonized master writes its pid file a moment later.
	for ((i = 0; i < 100; i++)); do
		pid=$(dc_pid "$name")
		[ -z "$pid" ] || break
		sleep 0.05
	done
	[ -n "$pid" ] || die "dovecot ($name) did not start"
	record_sid "dovecot-$name" "$pid"
}

dc_stop() {
	local pid
	pid=$(dc_pid "$1")
	[ -z "$pid" ] || kill -TERM "$pid" 2>/dev/null || true
}

# ------------------------------------------------------------- postfix

pf_pid() {
	local pid
	pid=$(head -n1 "$PFSPOOL/pid/master.pid" 2>/dev/null | tr -d ' ') ||
		return 0
	pid_alive "$pid" || return 0
	[ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" = "$PFSPOOL" ] &&
		echo "$pid"
	return 0
}

pf_start() {
	local pid i
	pid=$(pf_pid)
	if [ -n "$pid" ]; then
		if [ "$PF_CHANGED" = 1 ]; then
			postfix -c "$PFDIR" reload </dev/null \
				>>"$LOGDIR/postfix-start.log" 2>&1 9>&- || true
		fi
		return 0
	fi
	kill_session postfix
	need_free "$P_SMTP" "$P_SUBMISSION" "$P_SUBMISSIONS" \
		"$P_SUB_UNTRUSTED" "$P_SUB_WRONGHOST" "$P_SUB_EXPIRED"
	# The full integrity check (seconds, and it walks system dirs) runs
	# once to create the queue; later starts skip it.
	if [ -f "$STATE/postfix-checked" ]; then
		touch "$PFSPOOL/quick-start"
	fi
	postfix -c "$PFDIR" start </dev/null \
		>>"$LOGDIR/postfix-start.log" 2>&1 9>&- ||
		die "postfix did not start; see $LOGDIR/postfix.log"
	touch "$STATE/postfix-checked"
	for ((i = 0; i < 100; i++)); do
		pid=$(pf_pid)
		[ -z "$pid" ] || break
		sleep 0.05
	done
	[ -n "$pid" ] || die "postfix did not start"
	record_sid postfix "$pid"
}

pf_stop() {
	local pid
	pid=$(pf_pid)
	[ -z "$pid" ] || kill -TERM "$pid" 2>/dev/null || true
}

# ---------------------------------------------------------------- sink

sink_pid() {
	local pid
	pid=$(cat "$STATE/sink.pid" 2>/dev/null) || return 0
	pid_alive "$pid" || return 0
	case $(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") in
	*smtp-sink*"$SINKDIR"*) echo "$pid" ;;
	esac
	return 0
}

# sink_start [SMTP-SINK-OPTIONS...]: e.g. "-r RCPT" makes every
# recipient fail with 4xx, "-f RCPT" with 5xx (see smtp-sink(1)).
sink_start() {
	local pid i
	[ -z "$(sink_pid)" ] || return 0
	kill_session sink
	wait_ports down 3 "$P_SINK" || need_free "$P_SINK"
	setsid "$SMTP_SINK" -u "$SINK_USER" -h sink.example \
		-d "$SINKDIR/%Y%m%d%H%M%S." "$@" "$HOST:$P_SINK" 128 \
		</dev/null >>"$LOGDIR/sink.log" 2>&1 9>&- &
	pid=$!
	echo "$pid" >"$STATE/sink.pid"
	for ((i = 0; i < 50; i++)); do
		pid_alive "$pid" && [ "$(ps -o sid= -p "$pid" | tr -d ' ')" = "$pid" ] &&
			break
		sleep 0.02
	done
	record_sid sink "$pid"
	wait_ports up 5 "$P_SINK" || die "smtp-sink did not start; see $LOGDIR/sink.log"
}

sink_stop() {
	local pid
	pid=$(sink_pid)
	[ -z "$pid" ] || kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 50; i++)); do
		[ -z "$(sink_pid)" ] && break
		sleep 0.05
	done
	rm -f "$STATE/sink.pid" "$STATE/sid.sink"
	wait_ports down 3 "$P_SINK" || true
}

# -------------------------------------------------------------- oauth2

oauth2_pid() {
	local pid
	pid=$(cat "$STATE/oauth2.pid" 2>/dev/null) || return 0
	pid_alive "$pid" || return 0
	case $(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") in
	*oauth2_introspect.py*"$OADIR/tokens"*) echo "$pid" ;;
	esac
	return 0
}

# oauth2_start: the token-introspection endpoint, unprivileged, in a
# session of its own; it logs to $LOGDIR/oauth2.log.
oauth2_start() {
	local pid i
	[ -z "$(oauth2_pid)" ] || return 0
	kill_session oauth2
	wait_ports down 3 "$P_OAUTH2" || need_free "$P_OAUTH2"
	[ -r "$INTROSPECT" ] || die "missing $INTROSPECT"
	setsid setpriv --reuid="$OAUTH2_USER" \
		--regid="$(id -g "$OAUTH2_USER")" --clear-groups \
		"$PYTHON" -I "$INTROSPECT" --listen "$HOST:$P_OAUTH2" \
		--tokens "$OADIR/tokens" \
		</dev/null >>"$LOGDIR/oauth2.log" 2>&1 9>&- &
	pid=$!
	echo "$pid" >"$STATE/oauth2.pid"
	for ((i = 0; i < 50; i++)); do
		pid_alive "$pid" && [ "$(ps -o sid= -p "$pid" | tr -d ' ')" = "$pid" ] &&
			break
		sleep 0.02
	done
	record_sid oauth2 "$pid"
	wait_ports up 5 "$P_OAUTH2" ||
		die "the introspection endpoint did not start; see $LOGDIR/oauth2.log"
}

oauth2_stop() {
	local pid i
	pid=$(oauth2_pid)
	[ -z "$pid" ] || kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 50; i++)); do
		[ -z "$(oauth2_pid)" ] && break
		sleep 0.05
	done
	rm -f "$STATE/oauth2.pid" "$STATE/sid.oauth2"
	wait_ports down 3 "$P_OAUTH2" || true
}

# ------------------------------------------------------------ commands

lock() {
	mkdir -p "$RIG_DIR"
	exec 9>"$RIG_DIR/.lock"
	flock -w 60 9 || die "rig $RIG_DIR is busy"
}

cmd_start() {
	local name
	lock
	prepare
	oauth2_start
	for name in main $BAD_INSTANCES; do
		dc_start "$name"
	done
	pf_start
	sink_start
	wait_ports up 10 $(all_ports) ||
		die "not all ports listen; see $LOGDIR/ (listening: $(listening_ports | tr '\n' ' '))"
	say "running in $RIG_DIR, ports $RIG_BASE_PORT+ (rig.sh env)"
}

cmd_stop() {
	local name
	[ -d "$STATE" ] || return 0
	lock
	for name in main $BAD_INSTANCES; do
		dc_stop "$name"
	done
	pf_stop
	sink_stop
	oauth2_stop
	reap 5
	if ! wait_ports down 3 $(all_ports); then
		# Another rig on the same ports is not ours to stop.
		[ -z "$(port_holders $(all_ports))" ] ||
			die "ports still listening: $(listening_ports | tr '\n' ' ')"
		say "note: other processes listen on this rig's ports"
	fi
	rm -f "$PFSPOOL/quick-start"
}

state_word() {
	if [ -n "$1" ]; then echo "running (pid $1)"; else echo stopped; fi
}

# status: one line per part; 0 if all runs and listens, 1 if not.
cmd_status() {
	local name pid rc=0 l p
	for name in main $BAD_INSTANCES; do
		pid=$(dc_pid "$name")
		echo "dovecot-$name: $(state_word "$pid")"
		[ -n "$pid" ] || rc=1
	done
	pid=$(pf_pid)
	echo "postfix: $(state_word "$pid")"
	[ -n "$pid" ] || rc=1
	pid=$(sink_pid)
	echo "smtp-sink: $(state_word "$pid")"
	[ -n "$pid" ] || rc=1
	pid=$(oauth2_pid)
	echo "oauth2-introspect: $(state_word "$pid")"
	[ -n "$pid" ] || rc=1
	l=" $(listening_ports | tr '\n' ' ') "
	for p in $(all_ports); do
		case $l in
		*" $p "*) ;;
		*) echo "port $p: not listening"; rc=1 ;;
		esac
	done
	return $rc
}

q() { printf "%q" "$1"; }

cmd_env() {
	cat <<EOF
export RIG_SH=$(q "$RIG_SH")
export RIG_DIR=$(q "$RIG_DIR")
export RIG_BASE_PORT=$RIG_BASE_PORT
export RIG_TAG=$TAG
export RIG_HOST=$HOST
export RIG_TLS_NAME=localhost
export RIG_CA_FILE=$(q "$TLS/ca.crt")
export RIG_UNTRUSTED_CA_FILE=$(q "$TLS/other-ca.crt")
export RIG_WRONG_HOST_NAME=other.test
export RIG_LMTP_PORT=$P_LMTP
export RIG_SMTP_PORT=$P_SMTP
export RIG_SINK_PORT=$P_SINK
export RIG_OAUTH2_PORT=$P_OAUTH2
export RIG_OAUTH2_URL=http://$HOST:$P_OAUTH2/introspect
export RIG_IMAP_PORT=$P_IMAP
export RIG_IMAPS_PORT=$P_IMAPS
export RIG_IMAPS_UNTRUSTED_PORT=$P_IMAPS_UNTRUSTED
export RIG_IMAPS_WRONGHOST_PORT=$P_IMAPS_WRONGHOST
export RIG_IMAPS_EXPIRED_PORT=$P_IMAPS_EXPIRED
export RIG_SUBMISSION_PORT=$P_SUBMISSION
export RIG_SUBMISSIONS_PORT=$P_SUBMISSIONS
export RIG_SUBMISSION_UNTRUSTED_PORT=$P_SUB_UNTRUSTED
export RIG_SUBMISSION_WRONGHOST_PORT=$P_SUB_WRONGHOST
export RIG_SUBMISSION_EXPIRED_PORT=$P_SUB_EXPIRED
export RIG_PASSWORD_DIR=$(q "$PWDIR")
export RIG_NETRC=$(q "$PWDIR/netrc")
export RIG_TOKEN_SUFFIX=.token
export RIG_MAIL_DIR=$(q "$MAILDIR")
export RIG_SINK_DIR=$(q "$SINKDIR")
export RIG_LOG_DIR=$(q "$LOGDIR")
export RIG_OAUTH2_LOG=$(q "$LOGDIR/oauth2.log")
export RIG_DOVECOT_CONF=$(q "$DCDIR/main.conf")
export RIG_DOVECOT_CONF_D=$(q "$DCDIR/conf.d")
export RIG_POSTFIX_DIR=$(q "$PFDIR")
export RIG_USERS=$(q "$(rig_users | tr '\n' ' ' | sed 's/ $//')")
EOF
}

need_user() {
	[ $# -ge 1 ] && [ -n "$1" ] || die "missing USER"
	known_user "$1" || die "unknown user $1"
}

# deliver USER FILE [FOLDER]: straight into the mailbox (dovecot-lda, no
# Postfix, no LMTP); FOLDER is created when missing.
cmd_deliver() {
	[ $# -ge 2 ] || die "usage: deliver USER FILE [FOLDER]"
	local user=$1 file=$2 folder=${3:-}
	need_user "$user"
	[ -r "$file" ] || die "cannot read $file"
	[ -n "$(dc_pid main)" ] || die "the rig is not running"
	# From stdin: with -p, dovecot-lda would hard-link the test's file.
	# It logs to stderr (it runs as the mail user and cannot open the
	# rig's log): keep that for failures only.
	local err
	if ! err=$("$LDA" -c "$DCDIR/main.conf" -d "$user" \
		${folder:+-m "$folder"} <"$file" 2>&1 9>&-); then
		printf '%s\n' "$err" >&2
		die "delivery to $user failed"
	fi
	printf '%s\n' "$err" >>"$LOGDIR/lda.log"
}

# count USER [FOLDER]: number of messages, per Dovecot.
cmd_count() {
	[ $# -ge 1 ] || die "usage: count USER [FOLDER]"
	local user=$1 folder=${2:-INBOX} out
	need_user "$user"
	out=$("$DOVEADM" -c "$DCDIR/main.conf" -f tab mailbox status \
		-u "$user" messages "$folder" 2>&1) ||
		die "count $user $folder: $out"
	echo "$out" | awk -F'\t' 'NR == 2 { print $2 }'
}

cmd_password() {
	need_user "${1:-}"
	[ -s "$PWDIR/$1" ] || die "no password yet for $1: start the rig"
	cat "$PWDIR/$1"
	[ ! -t 1 ] || echo
}

cmd_token() {
	need_user "${1:-}"
	[ -s "$PWDIR/$1.token" ] || die "no token yet for $1: start the rig"
	cat "$PWDIR/$1.token"
	[ ! -t 1 ] || echo
}

# add-user USER: a new mailbox (kept in $RIG_DIR/users.extra); applied at
# once when the rig runs.
cmd_add_user() {
	[ $# -eq 1 ] || die "usage: add-user USER"
	local u
	u=$(echo "$1" | tr 'A-Z' 'a-z')
	valid_user "$u" || die "bad address $u"
	lock
	mkdir -p "$RIG_DIR"
	known_user "$u" || echo "$u" >>"$RIG_DIR/users.extra"
	if [ -n "$(dc_pid main)" ]; then
		prepare
		for name in main $BAD_INSTANCES; do
			dc_start "$name"
		done
		pf_start
	fi
}

cmd_reload() {
	lock
	prepare
	DC_CHANGED=1
	PF_CHANGED=1
	# A rig started by an older rig.sh has no endpoint yet.
	[ -z "$(dc_pid main)" ] || oauth2_start
	for name in main $BAD_INSTANCES; do
		[ -z "$(dc_pid "$name")" ] || dc_start "$name"
	done
	[ -z "$(pf_pid)" ] || pf_start
}

# sink_files: complete captures, oldest first. smtp-sink creates a file
# at MAIL FROM, fills it during DATA and removes it if the transaction is
# aborted: a file the sink still holds open is left out.
sink_files() {
	local pid busy=
	pid=$(sink_pid)
	if [ -n "$pid" ]; then
		busy=$(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 \
			-printf '%l\n' 2>/dev/null | grep -F "$SINKDIR/" || true)
	fi
	find "$SINKDIR" -type f 2>/dev/null | sort | grep -vxF -- "${busy:-/}" ||
		true
}

sink_count() {
	sink_files | wc -l
}

# wait_for DESC N CMD...: until CMD prints a number >= N.
wait_for() {
	local desc=$1 n=$2 i got=
	shift 2
	for ((i = 0; i < RIG_WAIT * 10; i++)); do
		got=$("$@" 2>/dev/null) || got=
		if [ -n "$got" ] && [ "$got" -ge "$n" ]; then
			echo "$got"
			return 0
		fi
		sleep 0.1
	done
	say "timeout after ${RIG_WAIT}s waiting for $desc >= $n (now: ${got:-?})"
	echo "${got:-0}"
	return 1
}

queue_count() {
	find "$PFSPOOL/incoming" "$PFSPOOL/active" "$PFSPOOL/deferred" \
		"$PFSPOOL/hold" "$PFSPOOL/maildrop" -type f 2>/dev/null | wc -l
}

usage() {
	cat <<'EOF'
usage: rig.sh COMMAND [ARGS]
  start                 start the rig (again: no-op, or reload after changes)
  stop                  stop everything; no process, no listener remains
  restart               stop, then start
  status                state of each part; exit 0 only if all runs
  env                   "export RIG_...=..." lines for the shell
  reload                regenerate configs, reload Dovecot and Postfix
  deliver USER FILE [FOLDER]   put a raw message into a mailbox
  count USER [FOLDER]   number of messages (FOLDER defaults to INBOX)
  wait-count USER N [FOLDER]   wait until count >= N (RIG_WAIT seconds)
  password USER         print USER's password
  token USER            print USER's OAuth2 access token (XOAUTH2)
  oauth2-fail on|off    make the introspection endpoint answer 503 / normally
  add-user USER         add a mailbox to this rig (users.extra)
  sink-count            number of mails the sink captured
  sink-dir              directory of the sink's capture files
  sink-files            the capture files, oldest first
  wait-sink N           wait until sink-count >= N
  sink-stop             stop the sink (mail to outside domains then defers)
  sink-start [OPTS]     (re)start the sink with smtp-sink options, e.g.
                        "-r RCPT" (every RCPT gets 4xx) or "-f RCPT" (5xx);
                        a later "start" brings back a plain sink only if
                        the sink is down
  queue-count           messages in Postfix's queue
  flush                 ask Postfix to retry deferred mail now
Environment: RIG_BASE_PORT (20000), RIG_DIR (/tmp/mistok-rig-BASE),
RIG_USERS_FILE (tests/rig/users.txt), RIG_WAIT (15).
EOF
}

main() {
	local cmd=${1:-help}
	[ $# -eq 0 ] || shift
	case $cmd in
	start) cmd_start ;;
	stop) cmd_stop ;;
	restart) cmd_stop && cmd_start ;;
	status) cmd_status || exit $? ;;
	env) cmd_env ;;
	reload) cmd_reload ;;
	deliver) cmd_deliver "$@" ;;
	count) cmd_count "$@" ;;
	wait-count)
		[ $# -ge 2 ] || die "usage: wait-count USER N [FOLDER]"
		wait_for "messages of $1 ${3:-INBOX}" "$2" \
			cmd_count "$1" "${3:-INBOX}" >/dev/null || exit 1
		;;
	password) cmd_password "$@" ;;
	token) cmd_token "$@" ;;
	oauth2-fail)
		[ -d "$OADIR" ] || die "the rig has never started: $RIG_DIR"
		case ${1:-} in
		on) : >"$OADIR/fail" ;;
		off) rm -f "$OADIR/fail" ;;
		*) die "usage: oauth2-fail on|off" ;;
		esac
		;;
	add-user) cmd_add_user "$@" ;;
	sink-count) sink_count ;;
	sink-dir) echo "$SINKDIR" ;;
	sink-files) sink_files ;;
	wait-sink)
		[ $# -eq 1 ] || die "usage: wait-sink N"
		wait_for "sink captures" "$1" sink_count >/dev/null || exit 1
		;;
	sink-stop) lock; sink_stop ;;
	sink-start)
		# Restarts a running sink, so that new options apply.
		[ -d "$SINKDIR" ] || die "the rig has never started: $RIG_DIR"
		lock
		sink_stop
		sink_start "$@"
		;;
	queue-count) queue_count ;;
	flush)
		postfix -c "$PFDIR" flush </dev/null >/dev/null 2>&1 9>&- ||
			die "postfix flush failed"
		;;
	help | -h | --help) usage ;;
	*) usage >&2; exit 2 ;;
	esac
}

main "$@"
