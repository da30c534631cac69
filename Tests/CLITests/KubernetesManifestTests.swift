import Foundation
import Testing

/// deploy/kubernetes, built by `kubectl kustomize` and checked against Kubernetes 1.31's schemas by
/// kubernetes-validate (PyPI, strict: no unknown field), both installed by scripts/install-deps.sh;
/// then the shape the deployment needs, read from the built manifests.
@Suite("deploy/kubernetes: kustomize builds it, the schemas accept it, and it has the deployment's shape")
struct KubernetesManifestTests {
    static var root: URL {
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { root.deleteLastPathComponent() }
        return root
    }

    static func run(_ executable: String, _ arguments: [String], input: Data? = nil) throws -> (status: Int32, output: String, errors: String) {
        let process = Process(), output = Pipe(), errors = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [executable] + arguments
        process.standardOutput = output
        process.standardError = errors
        let stdin = Pipe()
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(input) }
        try stdin.fileHandleForWriting.close()
        let text = output.fileHandleForReading.readDataToEndOfFile(), problems = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: text, as: UTF8.self), String(decoding: problems, as: UTF8.self))
    }

    static func built() throws -> String {
        let kustomize = try run("kubectl", ["kustomize", root.appendingPathComponent("deploy/kubernetes").path])
        try #require(kustomize.status == 0, "kubectl kustomize: \(kustomize.errors)")
        return kustomize.output
    }

    static func validate(_ manifests: String) throws -> (status: Int32, output: String) {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("manifests-\(UUID().uuidString).yaml")
        try Data(manifests.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let checked = try run("python3", ["-m", "kubernetes_validate", "--strict", "--kubernetes-version", "1.31.0", file.path])
        return (checked.status, checked.output + checked.errors)
    }

    /// The built manifests as JSON objects (PyYAML comes with kubernetes-validate).
    static func objects(_ manifests: String) throws -> [[String: Any]] {
        let script = "import json, sys, yaml; print(json.dumps([d for d in yaml.safe_load_all(sys.stdin) if d]))"
        let converted = try run("python3", ["-c", script], input: Data(manifests.utf8))
        try #require(converted.status == 0, "\(converted.errors)")
        return try #require(try JSONSerialization.jsonObject(with: Data(converted.output.utf8)) as? [[String: Any]])
    }

    @Test("kustomize builds the manifests and kubernetes-validate accepts every resource; a resource with an unknown field is refused")
    func validates() throws {
        let manifests = try Self.built()
        let checked = try Self.validate(manifests)
        #expect(checked.status == 0, "\(checked.output)")
        #expect(checked.output.contains("statefulset/matcher"), "the validator read the resources: \(checked.output)")
        let broken = manifests.replacingOccurrences(of: "  serviceName: matcher\n", with: "  serviceName: matcher\n  replicaz: 3\n")
        #expect(broken != manifests)
        #expect(try Self.validate(broken).status != 0, "strict validation refuses an unknown field")
    }

    @Test("a StatefulSet with a volume claim for every SQLite owner, probes on the bus, requests, keys from a Secret, the gateway behind a Service with a disruption budget")
    func shape() throws {
        let objects = try Self.objects(try Self.built())
        func resource(_ kind: String, _ name: String) -> [String: Any]? {
            objects.first { $0["kind"] as? String == kind && ($0["metadata"] as? [String: Any])?["name"] as? String == name }
        }
        for owner in ["gateway", "ingest", "reporting", "notifications", "pickup-validator", "matcher"] {
            let set = try #require(resource("StatefulSet", owner), "\(owner) is a StatefulSet")
            let spec = try #require(set["spec"] as? [String: Any])
            #expect(spec["serviceName"] as? String == owner, "pods are named \(owner)-N.\(owner)")
            #expect(resource("Service", owner) != nil, "its headless Service")
            let claims = spec["volumeClaimTemplates"] as? [[String: Any]] ?? []
            #expect(claims.count == 1, "\(owner) has its own volume")
            let pod = try #require((spec["template"] as? [String: Any])?["spec"] as? [String: Any])
            let container = try #require((pod["containers"] as? [[String: Any]])?.first)
            #expect(container["readinessProbe"] != nil && container["livenessProbe"] != nil, "\(owner) is probed")
            #expect(((container["resources"] as? [String: Any])?["requests"] as? [String: Any])?["cpu"] != nil, "\(owner) requests CPU")
            #expect(((pod["securityContext"] as? [String: Any])?["runAsNonRoot"] as? Bool) == true, "\(owner) runs as non-root")
            let secrets = (pod["volumes"] as? [[String: Any]] ?? []).compactMap { ($0["secret"] as? [String: Any])?["secretName"] as? String }
            #expect(secrets == ["ecoresupply-bus-keys"], "\(owner) takes its keys from the Secret")
            if owner != "gateway" {
                let command = ((container["livenessProbe"] as? [String: Any])?["exec"] as? [String: Any])?["command"] as? [String] ?? []
                #expect(command.joined(separator: " ").contains("bus health --instance"), "\(owner)'s probe asks it over the bus: \(command)")
            }
        }
        #expect(resource("Deployment", "forwarder") != nil && resource("Service", "forwarder") != nil)
        #expect(resource("Service", "gateway-http") != nil && resource("PodDisruptionBudget", "gateway") != nil)
        let config = try #require(objects.first { $0["kind"] as? String == "ConfigMap" }?["data"] as? [String: String])
        #expect(config["ECORESUPPLY_PEER_HOSTS"] == "*={kind}-{index}.{kind}" && config["ECORESUPPLY_BUS_HOST"] == "forwarder")
        let matchers = try #require(resource("StatefulSet", "matcher")?["spec"] as? [String: Any])
        #expect("\(matchers["replicas"] ?? "")" == config["ECORESUPPLY_MATCHERS"], "as many workers as every process is told")
    }
}
