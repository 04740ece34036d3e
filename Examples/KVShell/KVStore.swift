/// The example host's state: keys and values, in memory.
actor KVStore {
    private var values: [String: String] = [:]
    func put(_ key: String, _ value: String) { values[key] = value }
    func get(_ key: String) -> String? { values[key] }
    func delete(_ key: String) -> Bool { values.removeValue(forKey: key) != nil }
    var keys: [String] { values.keys.sorted() }
}
