// How each wire type writes itself: fields in sorted order, optional ones only when present —
// the same document `JSONEncoder` with `.sortedKeys` makes from their `Codable` conformances.

extension String: JSONWritable {
    public func write(to writer: inout JSONWriter) { writer.string(self) }
}

extension JSONWritable where Self: WireEnum {
    public func write(to writer: inout JSONWriter) { writer.string(rawValue) }
}

extension OutputFormat: JSONWritable {}
extension VideoCodec: JSONWritable {}
extension Resolution: JSONWritable {}
extension QualityTier: JSONWritable {}
extension Priority: JSONWritable {}
extension JobStatus: JSONWritable {}

extension Timestamp: JSONWritable {
    public func write(to writer: inout JSONWriter) { writer.timestamp(self) }
}

extension VideoVariant: JSONWritable {
    public func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.field("codec", codec)
        writer.field("quality", quality)
        writer.field("resolution", resolution)
        writer.endObject()
    }
}

extension OutputSpec: JSONWritable {
    public func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.field("type", type)
        writer.field("video", video)
        writer.endObject()
    }
}

extension CreateJobRequest: JSONWritable {
    public func write(to writer: inout JSONWriter) {
        writer.beginObject()
        if let idempotencyKey { writer.field("idempotency_key", idempotencyKey) }
        writer.field("input_origin_id", inputOriginID)
        writer.field("input_path", inputPath)
        if !metadata.isEmpty {
            writer.key("metadata")
            writer.stringMap(metadata)
        }
        writer.field("output_origin_id", outputOriginID)
        writer.field("outputs", outputs)
        writer.field("priority", priority)
        writer.endObject()
    }
}

extension MediaInfo: JSONWritable {
    public func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("duration_seconds"); writer.number(durationSeconds)
        writer.key("frame_rate"); writer.number(frameRate)
        writer.key("has_audio"); writer.bool(hasAudio)
        writer.key("height"); writer.int(Int64(height))
        writer.field("video_codec", videoCodec)
        writer.key("width"); writer.int(Int64(width))
        writer.endObject()
    }
}

extension VariantResult: JSONWritable {
    public func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("bitrate_kbps"); writer.int(Int64(bitrateKbps))
        if let codec { writer.field("codec", codec) }
        if let height { writer.key("height"); writer.int(Int64(height)) }
        if let note { writer.field("note", note) }
        writer.field("path", path)
        writer.field("resolution", resolution)
        if let width { writer.key("width"); writer.int(Int64(width)) }
        writer.endObject()
    }
}

extension OutputResult: JSONWritable {
    public func write(to writer: inout JSONWriter) {
        writer.beginObject()
        if let durationSeconds { writer.key("duration_seconds"); writer.number(durationSeconds) }
        writer.field("path", path)
        writer.key("size_bytes"); writer.int(sizeBytes)
        writer.field("type", type)
        writer.field("variants", variants)
        writer.endObject()
    }
}

extension JobError: JSONWritable {
    public func write(to writer: inout JSONWriter) {
        writer.beginObject()
        if let attempt { writer.key("attempt"); writer.int(Int64(attempt)) }
        if let category { writer.field("category", category.rawValue) }
        writer.field("code", code)
        writer.field("message", message)
        if let phase { writer.field("phase", phase.rawValue) }
        if let positionSeconds { writer.key("position_seconds"); writer.number(positionSeconds) }
        if let retryable { writer.key("retryable"); writer.bool(retryable) }
        writer.endObject()
    }
}

extension Job: JSONWritable {
    public func write(to writer: inout JSONWriter) {
        writer.beginObject()
        if let completedAt { writer.field("completed_at", completedAt) }
        writer.field("created_at", createdAt)
        if let error { writer.field("error", error) }
        writer.field("id", id)
        if let idempotencyKey { writer.field("idempotency_key", idempotencyKey) }
        if let input { writer.field("input", input) }
        writer.field("input_origin_id", inputOriginID)
        writer.field("input_path", inputPath)
        writer.key("metadata")
        writer.stringMap(metadata)
        writer.field("output_origin_id", outputOriginID)
        writer.field("outputs", outputs)
        writer.field("priority", priority)
        writer.key("progress"); writer.number(progress)
        if let results { writer.field("results", results) }
        if let startedAt { writer.field("started_at", startedAt) }
        writer.field("status", status)
        writer.field("updated_at", updatedAt)
        writer.endObject()
    }
}

extension JobResponse: JSONWritable {
    public func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.field("job", job)
        writer.endObject()
    }
}

extension ListJobsResponse: JSONWritable {
    public func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.field("jobs", jobs)
        writer.field("next_page_token", nextPageToken)
        writer.endObject()
    }
}
