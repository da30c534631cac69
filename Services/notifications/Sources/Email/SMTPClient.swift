import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where mail goes: an SMTP relay that accepts mail without authentication from this host (a local
/// MTA or the territory's relay). STARTTLS and AUTH are not spoken; put a relay in front if needed.
public struct SMTPSettings: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var from: String
    /// Upgrade the connection with STARTTLS before anything else is sent (required for `credentials`).
    public var startTLS: Bool
    /// AUTH PLAIN, sent only over TLS.
    public var credentials: Credentials?
    /// A CA certificate file trusted besides the system's roots (a relay with its own CA).
    public var caFile: String?

    public struct Credentials: Sendable, Equatable {
        public var username: String
        public var password: String
        public init(username: String, password: String) {
            self.username = username
            self.password = password
        }
    }

    public init(host: String, port: Int = 25, from: String, startTLS: Bool = false, credentials: Credentials? = nil, caFile: String? = nil) {
        self.host = host
        self.port = port
        self.from = from
        self.startTLS = startTLS
        self.credentials = credentials
        self.caFile = caFile
    }
}

/// Why a message was not sent.
public struct SMTPError: Error, CustomStringConvertible, Equatable {
    public let stage: String
    public let reply: String
    /// 5xx: the server refused for good; retrying will not help.
    public let permanent: Bool
    public var description: String { "\(stage): \(reply)" }
    /// For logs: the stage and the reply's code only, since servers echo addresses in their text.
    public var loggable: String { "\(stage): \(reply.prefix(3))" }
}

/// Sends one message over SMTP (RFC 5321): greeting, EHLO, STARTTLS and EHLO again (RFC 3207) when
/// set, AUTH PLAIN (RFC 4954) over TLS when set, MAIL FROM, RCPT TO, DATA, QUIT.
/// Blocking socket calls, run off the cooperative pool by the caller.
public struct SMTPClient: Sendable {
    public let settings: SMTPSettings
    public var timeoutSeconds: Int = 10

    public init(settings: SMTPSettings) { self.settings = settings }

    public func send(to recipient: String, subject: String, body: String) throws(SMTPError) {
        guard Self.isSafeAddress(recipient), Self.isSafeAddress(settings.from) else {
            throw SMTPError(stage: "address", reply: "refusing an address with control characters or angle brackets", permanent: true)
        }
        let connection = try Connection(host: settings.host, port: settings.port, timeoutSeconds: timeoutSeconds)
        defer { connection.close() }
        try connection.expect(220, stage: "greeting")
        try connection.command("EHLO ecoresupply.local", expect: 250, stage: "EHLO")
        if settings.startTLS {
            try connection.command("STARTTLS", expect: 220, stage: "STARTTLS")
            try connection.startTLS(host: settings.host, caFile: settings.caFile)
            try connection.command("EHLO ecoresupply.local", expect: 250, stage: "EHLO")
        }
        if let credentials = settings.credentials {
            guard connection.isEncrypted else {
                throw SMTPError(stage: "AUTH", reply: "refusing to send credentials without TLS", permanent: true)
            }
            let token = Data("\0\(credentials.username)\0\(credentials.password)".utf8).base64EncodedString()
            try connection.command("AUTH PLAIN \(token)", expect: 235, stage: "AUTH")
        }
        try connection.command("MAIL FROM:<\(settings.from)>", expect: 250, stage: "MAIL FROM")
        try connection.command("RCPT TO:<\(recipient)>", expect: 250, stage: "RCPT TO")
        try connection.command("DATA", expect: 354, stage: "DATA")
        try connection.write(Self.message(from: settings.from, to: recipient, subject: subject, body: body) + "\r\n.\r\n")
        try connection.expect(250, stage: "message")
        try? connection.command("QUIT", expect: 221, stage: "QUIT")
    }

    /// Headers and a body with CRLF line ends and dot-stuffing; non-ASCII subjects are RFC 2047 encoded.
    static func message(from: String, to: String, subject: String, body: String, date: Date = Date()) -> String {
        let encodedSubject = subject.allSatisfy(\.isASCII) ? subject : "=?UTF-8?B?\(Data(subject.utf8).base64EncodedString())?="
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        let lines = body.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix(".") ? "." + $0 : String($0) }
        return ([
            "From: EcoResupply <\(from)>", "To: <\(to)>", "Subject: \(encodedSubject)", "Date: \(formatter.string(from: date))",
            "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit", "",
        ] + lines).joined(separator: "\r\n")
    }

    static func isSafeAddress(_ address: String) -> Bool {
        !address.isEmpty && address.contains("@")
            && !address.unicodeScalars.contains { $0.value < 0x20 || $0 == "<" || $0 == ">" || $0 == " " }
    }

    /// A TCP connection with line-oriented replies.
    final class Connection {
        private let fd: Int32
        private var buffer: [UInt8] = []
        /// Set once STARTTLS succeeded: reads and writes go through it.
        private var tls: TLSChannel?

        var isEncrypted: Bool { tls != nil }

        func startTLS(host: String, caFile: String?) throws(SMTPError) {
            buffer.removeAll()  // nothing the server sent before the handshake may be trusted
            tls = try TLSChannel(socket: fd, host: host, caFile: caFile)
        }

        init(host: String, port: Int, timeoutSeconds: Int) throws(SMTPError) {
            var hints = addrinfo()
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var result: UnsafeMutablePointer<addrinfo>?
            guard getaddrinfo(host, String(port), &hints, &result) == 0, let info = result else {
                throw SMTPError(stage: "connect", reply: "cannot resolve \(host)", permanent: false)
            }
            defer { freeaddrinfo(result) }
            let socketFD = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            guard socketFD >= 0 else { throw SMTPError(stage: "connect", reply: "socket: errno \(errno)", permanent: false) }
            var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
            setsockopt(socketFD, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(socketFD, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            guard connect(socketFD, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
                Glibc.close(socketFD)
                throw SMTPError(stage: "connect", reply: "cannot connect to \(host):\(port) (errno \(errno))", permanent: false)
            }
            fd = socketFD
        }

        func close() { Glibc.close(fd) }

        func write(_ text: String) throws(SMTPError) {
            var bytes = Array(text.utf8)[...]
            while !bytes.isEmpty {
                let sent = bytes.withUnsafeBytes { raw in tls.map { $0.write(raw) } ?? Glibc.send(fd, raw.baseAddress, raw.count, Int32(MSG_NOSIGNAL)) }
                guard sent > 0 else { throw SMTPError(stage: "write", reply: "errno \(errno)", permanent: false) }
                bytes = bytes.dropFirst(sent)
            }
        }

        func command(_ line: String, expect code: Int, stage: String) throws(SMTPError) {
            try write(line + "\r\n")
            try expect(code, stage: stage)
        }

        /// Reads a (possibly multi-line) reply and checks its code.
        func expect(_ code: Int, stage: String) throws(SMTPError) {
            var lines: [String] = []
            while true {
                let line = try readLine(stage: stage)
                lines.append(line)
                // "250-..." continues; "250 ..." (or just "250") ends the reply.
                if line.count < 4 || line[line.index(line.startIndex, offsetBy: 3)] != "-" { break }
            }
            let last = lines.last ?? ""
            guard let got = Int(last.prefix(3)) else { throw SMTPError(stage: stage, reply: "unreadable reply '\(last)'", permanent: false) }
            guard got == code else { throw SMTPError(stage: stage, reply: lines.joined(separator: " | "), permanent: got >= 500) }
        }

        private func readLine(stage: String) throws(SMTPError) -> String {
            while true {
                if let newline = buffer.firstIndex(of: 0x0A) {
                    let line = String(decoding: buffer[..<newline], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                    buffer.removeSubrange(...newline)
                    return line
                }
                var chunk = [UInt8](repeating: 0, count: 1024)
                let count = chunk.withUnsafeMutableBytes { raw in tls.map { $0.read(into: raw) } ?? recv(fd, raw.baseAddress, raw.count, 0) }
                guard count > 0 else { throw SMTPError(stage: stage, reply: "connection closed or timed out", permanent: false) }
                buffer += chunk[..<count]
                guard buffer.count < 64 * 1024 else { throw SMTPError(stage: stage, reply: "reply too long", permanent: false) }
            }
        }
    }
}
