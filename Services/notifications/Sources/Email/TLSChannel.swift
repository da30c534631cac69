import COpenSSL
import Foundation

/// TLS over an already connected socket, for SMTP's STARTTLS (OpenSSL, Debian's libssl): the
/// server's certificate must chain to the system's roots (or to `caFile`) and name `host`.
final class TLSChannel {
    private let context: OpaquePointer
    private let ssl: OpaquePointer

    init(socket fd: Int32, host: String, caFile: String?) throws(SMTPError) {
        guard let context = SSL_CTX_new(TLS_client_method()) else { throw Self.failure("cannot make a TLS context") }
        self.context = context
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        SSL_CTX_set_default_verify_paths(context)
        if let caFile, SSL_CTX_load_verify_locations(context, caFile, nil) != 1 {
            SSL_CTX_free(context)
            throw Self.failure("cannot read the CA file \(caFile)")
        }
        guard let ssl = SSL_new(context) else {
            SSL_CTX_free(context)
            throw Self.failure("cannot make a TLS session")
        }
        self.ssl = ssl
        _ = eco_ssl_set_server_name(ssl, host)
        let checked = inet_addr(host) != INADDR_NONE
            ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host)
            : SSL_set1_host(ssl, host)
        guard checked == 1, SSL_set_fd(ssl, fd) == 1 else { throw Self.failure("cannot set up TLS for \(host)") }
        guard SSL_connect(ssl) == 1 else {
            let verify = SSL_get_verify_result(ssl)
            throw Self.failure(verify == X509_V_OK ? "TLS handshake failed" : "the server's certificate is not trusted (\(String(cString: X509_verify_cert_error_string(verify))))")
        }
    }

    deinit {
        SSL_shutdown(ssl)
        SSL_free(ssl)
        SSL_CTX_free(context)
    }

    func write(_ bytes: UnsafeRawBufferPointer) -> Int { Int(SSL_write(ssl, bytes.baseAddress, Int32(bytes.count))) }

    func read(into bytes: UnsafeMutableRawBufferPointer) -> Int { Int(SSL_read(ssl, bytes.baseAddress, Int32(bytes.count))) }

    private static func failure(_ reason: String) -> SMTPError {
        ERR_clear_error()
        return SMTPError(stage: "STARTTLS", reply: reason, permanent: false)
    }
}
