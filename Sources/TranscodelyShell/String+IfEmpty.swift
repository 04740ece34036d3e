/// Text for an empty list ("none").
extension String {
    func ifEmpty(_ replacement: String) -> String { isEmpty ? replacement : self }
}
