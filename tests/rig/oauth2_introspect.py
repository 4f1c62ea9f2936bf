#!/usr/bin/python3
# tests/rig/oauth2_introspect.py - the rig's OAuth 2.0 token-introspection
# endpoint (RFC 7662), for Dovecot's oauth2 passdb (XOAUTH2, OAUTHBEARER).
#
# It knows a fixed set of access tokens, one per rig user, from a file of
# "USER TOKEN" lines that rig.sh writes (mode 600) and that is read again
# whenever it changes. A known token gets {"active": true, "username":
# USER, ...}; any other token gets {"active": false}. The token may come
# the ways Dovecot sends it: POST body "token=..." (introspection_mode =
# post, the rig's choice), GET "...?token=..." (get) or "Authorization:
# Bearer ..." (auth).
#
# While a file named "fail" exists beside the token file, every request is
# answered 503, as an identity provider that is down (for retry tests).
#
# One log line per request on stderr: method, path without its query,
# mode, verdict and user. The token itself is never logged, nor is any
# request line or body.
#
# Usage: oauth2_introspect.py --listen HOST:PORT --tokens FILE

import argparse
import json
import os
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY = 64 * 1024


class Tokens:
    """token -> user, reloaded when the file's mtime, size or inode move."""

    def __init__(self, path):
        self.path = path
        self.key = None
        self.map = {}

    def lookup(self, token):
        try:
            st = os.stat(self.path)
            key = (st.st_mtime_ns, st.st_size, st.st_ino)
            if key != self.key:
                m = {}
                with open(self.path, encoding="utf-8") as f:
                    for line in f:
                        parts = line.split()
                        if len(parts) == 2:
                            m[parts[1]] = parts[0]
                self.map, self.key = m, key
        except OSError as e:
            # rig.sh replaces the file, then gives it to us: keep the
            # old tokens and try again at the next request.
            log("cannot read the token file: %s" % e.strerror)
        return self.map.get(token)


def log(text):
    sys.stderr.write("%s oauth2-introspect: %s\n" %
                     (time.strftime("%Y-%m-%dT%H:%M:%S"), text))
    sys.stderr.flush()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "mistok-rig-introspect/1"

    def log_message(self, fmt, *args):
        pass  # the default line holds the request line (GET mode: token)

    def reply(self, code, obj):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            data = b""
            while len(data) <= MAX_BODY:
                size = int(self.rfile.readline().split(b";")[0], 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                data += self.rfile.read(size)
                self.rfile.readline()
            return data
        n = int(self.headers.get("Content-Length") or 0)
        if n < 0 or n > MAX_BODY:
            raise ValueError("body too large")
        return self.rfile.read(n)

    def handle_any(self, method):
        url = urllib.parse.urlsplit(self.path)
        token, mode = None, "?"
        try:
            body = self.read_body() if method == "POST" else b""
        except ValueError:
            self.close_connection = True
            self.reply(400, {"error": "invalid_request"})
            log("%s %s: bad body -> 400" % (method, url.path))
            return
        auth = self.headers.get("Authorization", "")
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
        query = urllib.parse.parse_qs(url.query)
        if "token" in form:
            token, mode = form["token"][0], "post"
        elif "token" in query:
            token, mode = query["token"][0], "get"
        elif auth[:7].lower() == "bearer ":
            token, mode = auth[7:].strip(), "auth"
        where = "%s %s mode=%s" % (method, url.path, mode)
        if os.path.exists(os.path.join(os.path.dirname(
                self.server.tokens.path), "fail")):
            self.reply(503, {"error": "temporarily_unavailable"})
            log("%s -> 503 (fail switch on)" % where)
            return
        if token is None:
            self.reply(400, {"error": "invalid_request",
                             "error_description": "no token"})
            log("%s -> 400 (no token)" % where)
            return
        user = self.server.tokens.lookup(token)
        if user is None:
            self.reply(200, {"active": False})
            log("%s -> inactive (unknown token)" % where)
            return
        self.reply(200, {"active": True, "username": user, "email": user,
                         "scope": "mail", "client_id": "mistok-rig",
                         "token_type": "Bearer"})
        log("%s -> active user=%s" % (where, user))

    def do_POST(self):
        self.handle_any("POST")

    def do_GET(self):
        self.handle_any("GET")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--listen", required=True, help="HOST:PORT")
    ap.add_argument("--tokens", required=True, help="file of USER TOKEN")
    a = ap.parse_args()
    host, _, port = a.listen.rpartition(":")
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer.allow_reuse_address = True
    srv = ThreadingHTTPServer((host, int(port)), Handler)
    srv.tokens = Tokens(a.tokens)
    log("listening on %s:%s" % (host, port))
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
