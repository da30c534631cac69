import Foundation

/// The smallest JSON value a schema of the OpenAPI document admits by shape: required properties
/// only, each the first enum value, the minimum, a date, or "x". The matrix sends these so that a
/// request reaches the access check whatever order the route checks things in; what comes back past
/// it (a 400 for a business rule, a 404 for an id) is not the matrix's concern.
struct SchemaSample {
    let components: [String: Any]

    init(document: [String: Any]) {
        components = (document["components"] as? [String: Any])?["schemas"] as? [String: Any] ?? [:]
    }

    func value(for schema: [String: Any], depth: Int = 0) -> Any {
        if let ref = schema["$ref"] as? String, let resolved = components[String(ref.split(separator: "/").last ?? "")] as? [String: Any] {
            return value(for: resolved, depth: depth + 1)
        }
        if let options = (schema["oneOf"] ?? schema["anyOf"] ?? schema["allOf"]) as? [[String: Any]], let first = options.first {
            return value(for: first, depth: depth + 1)
        }
        if let values = schema["enum"] as? [Any], let first = values.first { return first }
        if let constant = schema["const"] { return constant }
        let type = (schema["type"] as? String) ?? ((schema["type"] as? [String])?.first { $0 != "null" }) ?? "object"
        switch type {
        case "string":
            switch schema["format"] as? String {
            case "date-time": return ISO8601DateFormatter().string(from: Date().addingTimeInterval(3600))
            case "byte": return "AA=="
            default: return String(repeating: "x", count: max(1, schema["minLength"] as? Int ?? 1))
            }
        case "integer", "number":
            return schema["minimum"] as? Double ?? schema["exclusiveMinimum"].map { _ in 1.0 } ?? 1
        case "boolean": return false
        case "array":
            guard let items = schema["items"] as? [String: Any], (schema["minItems"] as? Int ?? 0) > 0, depth < 6 else { return [Any]() }
            return [value(for: items, depth: depth + 1)]
        default:
            var object: [String: Any] = [:]
            guard depth < 6 else { return object }
            let properties = schema["properties"] as? [String: [String: Any]] ?? [:]
            for name in schema["required"] as? [String] ?? [] {
                object[name] = properties[name].map { value(for: $0, depth: depth + 1) } ?? "x"
            }
            return object
        }
    }
}
