import Hummingbird
import Logging

/// The baseline `bench http` measures beside every route: a Hummingbird server with one route that
/// answers a constant, on the same machine, in the same run.
enum HelloBaseline {
    static func application(port: Int) -> some ApplicationProtocol {
        let router = Router()
        router.get("/hello") { _, _ in "hello" }
        var logger = Logger(label: "ecoresupply.bench.hello")
        logger.logLevel = .warning
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: logger)
    }
}
