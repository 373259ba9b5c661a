import CEnvelopeOpenSSL
import CEnvelopeSodium

/// The versions of the libraries every primitive goes through (for `--version` reports and bug reports).
public enum CryptoLibraryVersions {
    /// OpenSSL's own version line at run time, e.g. `OpenSSL 3.0.13 30 Jan 2024`.
    public static var openSSL: String { String(cString: OpenSSL_version(numericCast(OPENSSL_VERSION))) }

    /// libsodium's version at run time, e.g. `1.0.18`.
    public static var libsodium: String { String(cString: sodium_version_string()) }
}
