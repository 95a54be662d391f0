#!/usr/bin/env python3
"""Reference V4 signed URL for Cloud Storage, written from Google's documentation of the V4
signing process (canonical request, string to sign, RSA-SHA256), independently of the Swift code.
SignedURLTests runs it and compares its URL with the Swift signer's, byte for byte.

Usage: v4_sign.py KEY_FILE ENDPOINT BUCKET OBJECT TIMESTAMP SECONDS
  KEY_FILE   service-account JSON key (client_email, private_key)
  ENDPOINT   e.g. https://storage.googleapis.com or http://127.0.0.1:4443
  TIMESTAMP  signing time, e.g. 2024-03-05T07:08:09Z
Prints the signed URL (path style: /BUCKET/OBJECT) on one line.
"""
import datetime
import hashlib
import json
import sys
import urllib.parse

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding


def main(key_file, endpoint, bucket, object_name, timestamp, seconds):
    with open(key_file, encoding="utf-8") as f:
        key = json.load(f)
    client_email = key["client_email"]
    private_key = serialization.load_pem_private_key(key["private_key"].encode("utf-8"), password=None)

    when = datetime.datetime.strptime(timestamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    request_timestamp = when.strftime("%Y%m%dT%H%M%SZ")
    datestamp = when.strftime("%Y%m%d")
    credential_scope = f"{datestamp}/auto/storage/goog4_request"

    parsed = urllib.parse.urlsplit(endpoint)
    host = parsed.hostname
    default_port = {"http": 80, "https": 443}[parsed.scheme]
    if parsed.port is not None and parsed.port != default_port:
        host = f"{host}:{parsed.port}"

    # Path: percent-encoded UTF-8, '/' kept; query names and values: only unreserved characters kept.
    canonical_uri = "/" + urllib.parse.quote(bucket, safe="/~") + "/" + urllib.parse.quote(object_name, safe="/~")
    query = {
        "X-Goog-Algorithm": "GOOG4-RSA-SHA256",
        "X-Goog-Credential": f"{client_email}/{credential_scope}",
        "X-Goog-Date": request_timestamp,
        "X-Goog-Expires": str(seconds),
        "X-Goog-SignedHeaders": "host",
    }
    canonical_query = "&".join(
        f"{urllib.parse.quote(k, safe='~')}={urllib.parse.quote(v, safe='~')}" for k, v in sorted(query.items())
    )
    canonical_headers = f"host:{host.lower()}\n"
    canonical_request = "\n".join(
        ["GET", canonical_uri, canonical_query, canonical_headers, "host", "UNSIGNED-PAYLOAD"]
    )
    string_to_sign = "\n".join(
        [
            "GOOG4-RSA-SHA256",
            request_timestamp,
            credential_scope,
            hashlib.sha256(canonical_request.encode("utf-8")).hexdigest(),
        ]
    )
    signature = private_key.sign(string_to_sign.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256()).hex()
    print(f"{parsed.scheme}://{host.lower()}{canonical_uri}?{canonical_query}&X-Goog-Signature={signature}")


if __name__ == "__main__":
    if len(sys.argv) != 7:
        sys.exit(__doc__)
    main(*sys.argv[1:6], int(sys.argv[6]))
