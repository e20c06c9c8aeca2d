#!/usr/bin/env python3
"""Serves a folder on 127.0.0.1 with COOP/COEP (cross-origin isolation) and correct MIME types.

usage: serve.py [--root DIR] [--port N] [--no-isolation] [--csp] [--quiet]
--no-isolation serves without COOP/COEP, as a plain static host would (threads unavailable).
--csp also sends nnbook's strict Content-Security-Policy (no inline scripts, no eval).
"""
import argparse
import errno
import functools
import http.server
import sys


# The policy the site must work under (issue 9): scripts only from the site itself, wasm
# compilation allowed, no eval, no inline scripts, no plugins.
CSP = "script-src 'self' 'wasm-unsafe-eval'; object-src 'none'; base-uri 'self'"


class Handler(http.server.SimpleHTTPRequestHandler):
    isolation = True
    csp = False
    quiet = False
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".json": "application/json",
        ".md": "text/markdown; charset=utf-8",
        ".nnbd": "application/octet-stream",
        ".safetensors": "application/octet-stream",
    }

    def end_headers(self):
        if self.isolation:
            self.send_header("Cross-Origin-Opener-Policy", "same-origin")
            self.send_header("Cross-Origin-Embedder-Policy", "require-corp")
            self.send_header("Cross-Origin-Resource-Policy", "same-origin")
        if self.csp:
            self.send_header("Content-Security-Policy", CSP)
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, fmt, *args):
        if not self.quiet:
            super().log_message(fmt, *args)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--root", default=".")
    ap.add_argument("--port", type=int, default=8000)
    ap.add_argument("--no-isolation", action="store_true")
    ap.add_argument("--csp", action="store_true")
    ap.add_argument("--quiet", action="store_true")
    a = ap.parse_args()
    Handler.isolation = not a.no_isolation
    Handler.quiet = a.quiet
    Handler.csp = a.csp
    handler = functools.partial(Handler, directory=a.root)
    try:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", a.port), handler)
    except OSError as e:
        if e.errno == errno.EADDRINUSE:
            print(f"serve: port {a.port} is already in use; choose another with PORT=<n>", file=sys.stderr)
        else:
            print(f"serve: cannot listen on 127.0.0.1:{a.port}: {e.strerror}", file=sys.stderr)
        sys.exit(1)
    mode = "with COOP/COEP (threads available)" if Handler.isolation else "without COOP/COEP (single-thread package)"
    print(f"nnbook: serving {a.root} at http://127.0.0.1:{a.port}/ {mode}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
