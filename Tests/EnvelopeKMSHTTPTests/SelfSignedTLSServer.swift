import EnvelopeTestSupport
import Foundation
import Testing

/// A TLS server on 127.0.0.1 (Python `ssl`, from the test venv) with a freshly made self-signed
/// certificate that no client trusts. It counts the connections it accepts; a second, plain port
/// answers that count as one line (so a test can prove the client did not retry).
final class SelfSignedTLSServer {
    private let peer: PythonPeer
    /// `https://127.0.0.1:<port>`.
    let url: URL
    private let controlPort: UInt16

    static let script = #"""
import datetime, ipaddress, json, os, socket, ssl, sys, tempfile, threading
from cryptography import x509
from cryptography.x509.oid import NameOID
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

key = ec.generate_private_key(ec.SECP256R1())
name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
now = datetime.datetime.now(datetime.timezone.utc)
cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .sign(key, hashes.SHA256()))
folder = tempfile.mkdtemp()
cert_path, key_path = os.path.join(folder, "cert.pem"), os.path.join(folder, "key.pem")
with open(cert_path, "wb") as f: f.write(cert.public_bytes(serialization.Encoding.PEM))
with open(key_path, "wb") as f:
    f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert_path, key_path)

count = 0
lock = threading.Lock()
def listen():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    return s
tls, control = listen(), listen()

def serve_tls():
    global count
    while True:
        conn, _ = tls.accept()
        with lock: count += 1
        try:
            wrapped = context.wrap_socket(conn, server_side=True)
            wrapped.recv(65536)
            wrapped.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
            wrapped.close()
        except Exception:
            conn.close()

def serve_control():
    while True:
        conn, _ = control.accept()
        with lock: conn.sendall(f"{count}\n".encode())
        conn.close()

threading.Thread(target=serve_tls, daemon=True).start()
threading.Thread(target=serve_control, daemon=True).start()
print(json.dumps({"port": tls.getsockname()[1], "control": control.getsockname()[1]}), flush=True)
sys.stdin.read()
"""#

    init() throws {
        peer = try PythonPeer(script: Self.script)
        let port = try #require(peer.ready["port"] as? Int)
        controlPort = UInt16(try #require(peer.ready["control"] as? Int))
        url = URL(string: "https://127.0.0.1:\(port)")!
    }

    /// Connections accepted so far (read from the control port).
    func connectionCount() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        defer { close(fd) }
        var address = loopbackAddress(port: controlPort)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else { throw POSIXError(.ECONNREFUSED) }
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = read(fd, &buffer, buffer.count)
        guard count > 0, let value = Int(String(decoding: buffer[0..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw POSIXError(.EIO)
        }
        return value
    }

    func stop() { peer.stop() }
}
