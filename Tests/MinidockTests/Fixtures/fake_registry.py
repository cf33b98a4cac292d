#!/usr/bin/env python3
"""A small registry and token server for minidock's tests, on 127.0.0.1 only.

It serves an OCI image layout (as `skopeo copy ... oci:DIR:TAG` writes one) over the
distribution API, and can misbehave on purpose, one way per --mode:

  plain        a well-behaved anonymous registry
  bearer       Docker Hub's flow: 401 with `WWW-Authenticate: Bearer realm=...`, tokens from /token
               (with --user/--password, /token itself wants those as Basic auth)
  error500     manifests answer 500 with a distribution error body
  truncate     blobs announce their full length and send half
  badjson      manifests are not JSON
  wrongtype    manifests declare an unknown media type
  bzip2layer   layers are declared with a compression minidock does not know

Every request is appended to --log as one line, so a test can check what was asked.
"""
import argparse, base64, json, os, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

args = None
TOKEN = "test-token-123"


def log(line):
    with open(args.log, "a") as f:
        f.write(line + "\n")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send(self, status, body=b"", headers=None):
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        log(f"{self.command} {self.path} auth={self.headers.get('Authorization', '')}")
        if self.path.startswith("/token"):
            return self.token()
        if not self.path.startswith("/v2/"):
            return self.send(404)
        if args.mode == "bearer" and self.headers.get("Authorization") != f"Bearer {TOKEN}":
            parts = self.path[4:].split("/")
            name = "/".join(parts[:-2]) if len(parts) > 2 else ""
            challenge = f'Bearer realm="http://127.0.0.1:{args.port}/token",service="fake-registry"'
            if name:
                challenge += f',scope="repository:{name}:pull"'
            return self.send(401, b'{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}',
                             {"WWW-Authenticate": challenge, "Content-Type": "application/json"})
        if self.path == "/v2/":
            return self.send(200, b"{}", {"Content-Type": "application/json"})
        parts = self.path[4:].split("/")
        kind, reference = parts[-2], parts[-1]
        if kind == "manifests":
            return self.manifest(reference)
        if kind == "blobs":
            return self.blob(reference)
        self.send(404)

    def token(self):
        if args.user:
            expected = "Basic " + base64.b64encode(f"{args.user}:{args.password}".encode()).decode()
            if self.headers.get("Authorization") != expected:
                return self.send(401, b'{"details":"bad credentials"}')
        self.send(200, json.dumps({"token": TOKEN, "expires_in": 300}).encode(), {"Content-Type": "application/json"})

    def blob_path(self, digest):
        return os.path.join(args.layout, "blobs", "sha256", digest.split(":", 1)[-1])

    def manifest(self, reference):
        if args.mode == "error500":
            return self.send(500, b'{"errors":[{"code":"UNKNOWN","message":"the storage backend is down"}]}',
                             {"Content-Type": "application/json"})
        with open(os.path.join(args.layout, "index.json")) as f:
            index = json.load(f)
        found = None
        for descriptor in index["manifests"]:
            tag = descriptor.get("annotations", {}).get("org.opencontainers.image.ref.name")
            if reference in (tag, descriptor["digest"]):
                found = descriptor
        if not found:
            return self.send(404, b'{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}',
                             {"Content-Type": "application/json"})
        with open(self.blob_path(found["digest"]), "rb") as f:
            body = f.read()
        media_type = found["mediaType"]
        if args.mode == "badjson":
            body = b"{this is not json"
        elif args.mode in ("wrongtype", "bzip2layer"):
            manifest = json.loads(body)
            if args.mode == "wrongtype":
                manifest["mediaType"] = media_type = "application/vnd.example.unknown+json"
            else:
                for layer in manifest["layers"]:
                    layer["mediaType"] = "application/vnd.oci.image.layer.v1.tar+bzip2"
            body = json.dumps(manifest).encode()
        self.send(200, body, {"Content-Type": media_type, "Docker-Content-Digest": found["digest"]})

    def blob(self, digest):
        path = self.blob_path(digest)
        if not os.path.exists(path):
            return self.send(404, b'{"errors":[{"code":"BLOB_UNKNOWN"}]}')
        with open(path, "rb") as f:
            body = f.read()
        if args.mode == "truncate" and len(body) > 10000:
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.send(200, body, {"Content-Type": "application/octet-stream"})


def main():
    global args
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--layout", required=True)
    parser.add_argument("--mode", default="plain")
    parser.add_argument("--log", required=True)
    parser.add_argument("--user")
    parser.add_argument("--password")
    args = parser.parse_args()
    ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
