import Foundation
import TestSupport

/// TEST-ONLY RSA key, generated for these tests and used nowhere else: it belongs to no service
/// account and protects nothing. Fixed so the known-answer URL is the same on every run.
let signingTestKeyPEM = """
-----BEGIN PRIVATE KEY-----
MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQCxBhatMKk3RoWV
wI2jXYKbKqrUeCnqHFT0xEU2ezbLKFZ0IRNxSuXkFBgN0yQitixN81zVJJo4ntq9
RLbU/vovfCWBEkvWsOZdJAA38MihMqln0z5w/l9kmLZzopN465y5VISiuPSac4j6
uGPTAeuDoPGur6HDoSuqGTNPHRpwH1NSQbpyBmzcNQgL9wrDz01rkPl8FXdVdtE+
QM/THEXC0x2YLc6KFxxWPu6SgfcSRn/IuBdcdaC6Y5T0ACnOJXTf4A4z6KdnXd9x
97CXx+vd+CkZHIBP6FZ48SzZDLOGNpI9nj8h6Gg7H23vn2dnAtNQ+fkKQQNiQ+Ug
yykO89GnAgMBAAECggEAMO2f4uqqOq7xSTzZaSf1a3HVmbhEzYJbMPP2tWJE+M4D
Z0GlIBE1jV7IbznGqRl1EW6MYBUn0zKE/v85EZIQEIPd0dj+wS5P3bqPnOaebX+V
Ny85+P013JYhB8ENxcRJoyfrKRa59N6uI65HWREUyWL4qfG9YlbvvKoOdnVy0z4+
jqgCV3/2V234y5uQkEBFrHy7Jq7UrMurpGc0CDal/APDsgEBVrDOyZKn7f/FSGvK
6iZacmMatW4XlDKWJmRCOYgRnc1kAfHFJQOdiKXjkFSIbu6QSuu5OGwa55QC7zP3
UdyNJK6qBe+YuBvqaN5sTjNVA8PvO+nwf+UJjGLlEQKBgQDzKVs5AxRZZP8h+UYh
7Ty21gDUruPwkfDiiHjp5FKckngTIKoY4X/g36iL0s6/ydJAGzYmhr5NFJ8X3UxU
P33PpmBVnM0VEy2+CQkhHmHV9t0u3MIZ2h9uNnUu1DsCIz3zYgjVV+CchkP4jzs+
z2hHOVGftmcuNVLUrwYqU9rj6wKBgQC6XstpyDtXn0lXl8myJaz9O8lNM3x+05Kz
xo7+Y/6vHYGSHa1TWw590zibqoiS1QC8wMuB2rJ6VdmPdQWZ50Le1R/M28ANAp37
m6Ea/Rh3N7BSO81PZx1kAPJDq1iYuNQt06ST2+Wc4/PtVtQcUFzwtWJDArc4wb4Y
h9nylblmNQKBgFqhoIGody42qa2VBqHglc+kBh0/rm/dRYZ5zW+IDY6UPTML6rpp
WkuLsXukMDFl3PrN6aoEcOuz8vRnJGsGWzNJVQCz9/CR/GunXIK+m0Kvx5MO7z3J
gguHOrggnHnYft+3O4mhPnO4y57aa/+mOLzLTXQU/XJIp73kGo0uQhjPAoGAOR0b
0UsfhHa4DzPhB8sr/F76DcKdgHBuINHUuHkEb73nG1Qk7cqV4lF8o5fbSsQj+bRL
qXvP/lWY2rHOCaApigheOnWNoW8P4y+Ka67sdHyIeGsDPDYpd6AinkJAYG0j+PdH
FFjrQO1Kr41Qa2zlTo8HkemfJLGbBAF99S2VJ5ECgYAP4ZYF0cFYPT6R6BuaS3C+
aW52ODgT1ALuUmW/BSMV1XItpJDmJ5DWqEBm0L0FY51DbJJcut/bbXqIHF5CJUxZ
Aou2GekmLDz+JiS08kNw/shs7l4OB/5m9fffkO7gf/calAHOsNmrJp/JuYaJCSYe
iGH/vdjLC5U5a4T86gWXUA==
-----END PRIVATE KEY-----
"""

let signingTestAccount = "layers-signer@poster-test.iam.gserviceaccount.com"

/// Writes a service-account key file as Google issues them (TEST-ONLY key); `fields` replace or add fields.
func writeSigningKeyFile(_ fields: [String: String] = [:]) throws -> String {
    var json: [String: String] = [
        "type": "service_account", "client_email": signingTestAccount, "private_key": signingTestKeyPEM,
        "private_key_id": "test-only",
    ]
    json.merge(fields) { _, new in new }
    let path = NSTemporaryDirectory() + "signing-key-\(UUID().uuidString).json"
    try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: path))
    return path
}

/// The signed URL Tests/SignedURLReference/v4_sign.py computes: Google's documented algorithm
/// written again in Python, signing with the `cryptography` package (python3-cryptography).
func referenceSignedURL(
    keyFile: String, endpoint: String, bucket: String, object: String, timestamp: String, seconds: Int
) async throws -> String {
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("SignedURLReference/v4_sign.py").path
    let python = try await pythonWithCryptography()
    let result = try await runProcess(python, [script, keyFile, endpoint, bucket, object, timestamp, String(seconds)])
    guard result.status == 0 else { throw ReferenceError("v4_sign.py failed (\(result.status)): \(result.standardError)") }
    return result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
}

struct ReferenceError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The first python3 that imports `cryptography`: the one on PATH, else Debian's (scripts/install-deps.sh
/// installs python3-cryptography). None is a failure, not a skip: the known answer is required.
private func pythonWithCryptography() async throws -> String {
    for candidate in ["/usr/bin/env python3", "/usr/bin/python3"] {
        let words = candidate.split(separator: " ").map(String.init)
        if let result = try? await runProcess(words[0], Array(words.dropFirst()) + ["-c", "import cryptography"]),
            result.status == 0
        {
            return candidate
        }
    }
    throw ReferenceError("no python3 with the cryptography package (apt-get install python3-cryptography)")
}

/// `command` (a program path, possibly with leading arguments) with `arguments`.
private func runProcess(_ command: String, _ arguments: [String]) async throws -> ProcessResult {
    let words = command.split(separator: " ").map(String.init)
    return try await runCapturingOutput(URL(fileURLWithPath: words[0]), Array(words.dropFirst()) + arguments)
}
