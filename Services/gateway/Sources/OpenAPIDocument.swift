import Foundation

/// The OpenAPI 3.1 document kept in the repository (`Resources/openapi.json`) and served at `/openapi.json`.
public enum OpenAPIDocument {
    public static func load() throws -> Data {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json") else {
            throw CocoaError(.fileNoSuchFile)
        }
        return try Data(contentsOf: url)
    }
}
