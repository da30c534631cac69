import EcoBus
import EcoRuntime
import Logging
import ZeroMQ

/// The benchmark's CURVE keys: a forwarder, a producer and a consumer, each with its own pair, and
/// the ZAP handler that admits the producer and consumer as a deployment's would.
struct BenchCurve: Sendable {
    let forwarder: ZMQCurveKeyPair
    let producer: ZMQCurveKeyPair
    let consumer: ZMQCurveKeyPair

    static func make() throws -> BenchCurve {
        BenchCurve(forwarder: try .generate(), producer: try .generate(), consumer: try .generate())
    }

    /// Admits the producer as `bench-producer` and the consumer as `bench-consumer` on every domain.
    func authenticator(logger: Logger) -> ZAPAuthenticator {
        let keyring = BusKeyring(name: "bench", own: forwarder, services: ["bench-producer": producer.publicKey, "bench-consumer": consumer.publicKey])
        return BusSecurity.authenticator(
            admitting: [BusCurve.publishDomain: keyring, BusCurve.subscribeDomain: keyring, BusCurve.routerDomain: keyring], logger: logger)
    }

    /// A SocketLoop's settings for one of the benchmark's processes.
    func settings(for keys: ZMQCurveKeyPair, replay: String) -> BusCurve {
        BusCurve(keys: keys, forwarderKey: forwarder.publicKey, serverKeys: [replay: producer.publicKey])
    }
}
