#!/usr/bin/env python3
"""Serves a folder on 127.0.0.1 with COOP/COEP (cross-origin isolation) and correct MIME types.

usage: serve.py [--root DIR] [--port N] [--no-isolation] [--quiet]
--no-isolation serves without COOP/COEP, as a plain static host would (threads unavailable).
"""
import argparse
import errno
import functools
import http.server
import sys


class Handler(http.server.SimpleHTTPRequestHandler):
    isolation = True
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
    ap.add_argument("--quiet", action="store_true")
    a = ap.parse_args()
    Handler.isolation = not a.no_isolation
    Handler.quiet = a.quiet
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
