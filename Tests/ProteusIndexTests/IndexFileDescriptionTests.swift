import Testing
import Foundation
@testable import ProteusIndex

@Suite struct IndexFileDescriptionTests {
    typealias F = IndexFileFixtures

    @Test func jsonParsesAndCarriesTheRecordedFacts() throws {
        let dir = try F.temporaryFolder("describe-json")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/i.phb"
        let c = F.realisticContents()
        try HeroIndexWriter.write(c, to: path, inputs: [])
        let index = try HeroIndex(path: path)
        let json = try IndexDescription(index).json
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["format_version"] as? Int == Int(IndexFormat.version))
        #expect(object["file_size"] as? Int == Int(index.fileSize))
        #expect(object["hero_tokens"] as? Int == c.tokens.count)
        #expect(object["documents"] as? Int == 3)
        let parameters = try #require(object["parameters"] as? [String: Any])
        #expect(parameters["top_p"] as? Double == 0.85)
        #expect(parameters["focus"] as? String == "sandwich in Dolores Park")
        let tokenizer = try #require(object["tokenizer"] as? [String: Any])
        #expect(tokenizer["sha256"] as? String == c.tokenizer!.sha256Hex)
        let inputs = try #require(object["inputs"] as? [[String: Any]])
        #expect(inputs.map { $0["content_hash"] as? String } == ["deadbeef01234567", "0000000000000001"])
        let sections = try #require(object["sections"] as? [[String: Any]])
        #expect(sections.map { $0["kind"] as? String ?? "" } == index.sections.map(\.name))
        #expect(JSONValue.quoted("a\"b\\\n\u{1}é") == "\"a\\\"b\\\\\\n\\u0001é\"")
    }

    @Test func textNamesEverySectionAndTheCorpus() throws {
        let dir = try F.temporaryFolder("describe-text")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/i.phb"
        let c = F.realisticContents()
        try HeroIndexWriter.write(c, to: path, inputs: [])
        let index = try HeroIndex(path: path)
        let lines = try IndexDescription(index).text.split(separator: "\n").map(String.init)
        #expect(lines[0] == "\(path): proteus-index hero index, format version \(IndexFormat.version) (readable by version \(IndexFormat.oldestReadable) and later), \(index.fileSize) bytes")
        #expect(lines[1] == "  corpus: 1234567 tokens in 3 documents, 19 chunks")
        #expect(lines[2] == "  heroes: \(c.tokens.count) tokens in 24 spans (77824 champions, 45000 evicted)")
        #expect(lines.contains("  dna: vocabulary 1000, feature dimension 8, 4 gates"))
        #expect(lines.contains("  input: /data/corpus-a.tok (9876543210 bytes, modified 1790000000, hash deadbeef01234567)"))
        let htok = index.entry(.heroTokens)
        #expect(lines.contains("    HTOK at byte \(htok.offset): \(htok.length) bytes, \(htok.count) elements, xxh64 \(hex(htok.checksum))"))
    }
}
