import EcoBus
import Foundation

/// Writes events to standard output: the exact CloudEvent JSON on one line, or a readable form.
struct EventPrinter: Sendable {
    let pretty: Bool

    func print(_ event: ReceivedEvent) {
        if pretty {
            let data = (try? JSONSerialization.jsonObject(with: event.payload) as? [String: Any])?["data"]
            let body = data.flatMap { try? JSONSerialization.data(withJSONObject: $0, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]) }
                .map { String(decoding: $0, as: UTF8.self) } ?? "null"
            write("\(event.envelope.time ?? "-")  \(event.type)  \(event.source)#\(event.sequence.map(String.init) ?? "-")\n\(body)\n")
        } else {
            write(String(decoding: event.payload, as: UTF8.self) + "\n")
        }
    }

    /// Prints a message's JSON frame as it came.
    func printRaw(_ payload: Data) {
        write(String(decoding: payload, as: UTF8.self) + "\n")
    }

    func printInvalid(_ reason: DeadLetterReason, frames: Int) {
        FileHandle.standardError.write(Data("[tail] unreadable message (\(frames) frames): \(reason)\n".utf8))
    }

    private func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
