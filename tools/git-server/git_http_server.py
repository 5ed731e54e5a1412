#!/usr/bin/env python3
"""The test bed's git server (image localhost/droid/git-server, SPEC §8).

    git_http_server.py [--root DIR] [--seed DIR] [--port N] [--tls-cert F --tls-key F]
                       [--user NAME --password-file F]

Serves every repository under ROOT (default /var/lib/git) over git's smart HTTP
protocol through `git http-backend` (clone, fetch and push) on 0.0.0.0:PORT (default
8080). At start it copies each bare repository of SEED (default /srv/git-seed: the
image's sample.git) that ROOT does not have yet, so ROOT may be an empty volume.

With --user and --password-file every request needs those basic credentials (401
otherwise); without them anyone may clone and push (a test bed, not a product).
With --tls-cert/--tls-key it speaks HTTPS. Logs one line per request on stderr:
method, path, status and user, never the credentials.
"""
import argparse
import base64
import hmac
import http.server
import os
import shutil
import ssl
import subprocess
import sys


def read_body(handler):
    if handler.headers.get("Transfer-Encoding", "").lower() == "chunked":
        body = bytearray()
        while True:
            size = int(handler.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while handler.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return bytes(body)
            body += handler.rfile.read(size)
            handler.rfile.readline()  # CRLF after the chunk
    length = int(handler.headers.get("Content-Length") or 0)
    return handler.rfile.read(length) if length else b""


def make_handler(args, expected_auth):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        user = "-"

        def log_message(self, fmt, *a):
            sys.stderr.write("git-server: %s user=%s\n" % (fmt % a, self.user))

        def refuse(self):
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="git"')
            self.send_header("Content-Length", "0")
            self.end_headers()

        def handle_any(self):
            if expected_auth is not None:
                given = self.headers.get("Authorization", "")
                if not hmac.compare_digest(given.encode(), expected_auth.encode()):
                    read_body(self)
                    return self.refuse()
                self.user = args.user
            path, _, query = self.path.partition("?")
            body = read_body(self)
            env = {
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "HOME": os.environ.get("HOME", "/tmp"),
                "GIT_PROJECT_ROOT": args.root,
                "GIT_HTTP_EXPORT_ALL": "1",
                "GIT_CONFIG_COUNT": "1",
                "GIT_CONFIG_KEY_0": "safe.directory",
                "GIT_CONFIG_VALUE_0": "*",
                "REQUEST_METHOD": self.command,
                "PATH_INFO": path,
                "QUERY_STRING": query,
                "CONTENT_TYPE": self.headers.get("Content-Type", ""),
                "CONTENT_LENGTH": str(len(body)),
                # http-backend enables receive-pack (push) for an authenticated user.
                "REMOTE_USER": args.user or "anonymous",
                "REMOTE_ADDR": self.client_address[0],
                "HTTP_GIT_PROTOCOL": self.headers.get("Git-Protocol", ""),
            }
            if self.headers.get("Content-Encoding"):
                env["HTTP_CONTENT_ENCODING"] = self.headers["Content-Encoding"]
            out = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True).stdout
            head, _, payload = out.partition(b"\r\n\r\n")
            status, headers = 200, []
            for line in head.split(b"\r\n"):
                name, _, value = line.decode("latin-1").partition(":")
                if name.lower() == "status":
                    status = int(value.strip().split()[0])
                elif name:
                    headers.append((name, value.strip()))
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = handle_any
        do_POST = handle_any

    return Handler


def seed(root, seed_dir):
    os.makedirs(root, exist_ok=True)
    if not os.path.isdir(seed_dir):
        return
    for name in sorted(os.listdir(seed_dir)):
        target = os.path.join(root, name)
        if name.endswith(".git") and not os.path.exists(target):
            shutil.copytree(os.path.join(seed_dir, name), target, symlinks=True)
            sys.stderr.write("git-server: seeded %s\n" % target)


def main():
    p = argparse.ArgumentParser(description="git smart HTTP server (git http-backend)")
    p.add_argument("--root", default="/var/lib/git")
    p.add_argument("--seed", default="/srv/git-seed")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--listen", default="0.0.0.0")
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    p.add_argument("--user")
    p.add_argument("--password-file")
    args = p.parse_args()
    if bool(args.user) != bool(args.password_file):
        p.error("--user and --password-file go together")
    expected = None
    if args.user:
        with open(args.password_file, encoding="utf-8") as f:
            password = f.read().strip()
        expected = "Basic " + base64.b64encode(f"{args.user}:{password}".encode()).decode()
    seed(args.root, args.seed)
    server = http.server.ThreadingHTTPServer((args.listen, args.port), make_handler(args, expected))
    scheme = "http"
    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    sys.stderr.write("git-server: serving %s on %s://%s:%d/\n" % (args.root, scheme, args.listen, server.server_address[1]))
    sys.stderr.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()
