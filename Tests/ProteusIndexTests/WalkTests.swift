import Testing
import Foundation
@testable import ProteusIndex

/// Folders walked the way ripgrep walks them: gitignore patterns, `.gitignore`/`.ignore`
/// files, `--glob`, links and files reached twice.
@Suite struct WalkTests {
    /// (pattern, relative path, is a directory, matches)
    static let patterns: [(String, String, Bool, Bool)] = [
        ("*.log", "x.log", false, true),
        ("*.log", "deep/down/x.log", false, true),          // no slash: any depth
        ("*.log", "x.log.txt", false, false),
        ("build/", "build", true, true),                     // directories only
        ("build/", "build", false, false),
        ("build/", "src/build", true, true),
        ("/top.txt", "top.txt", false, true),                // anchored
        ("/top.txt", "sub/top.txt", false, false),
        ("doc/*.md", "doc/a.md", false, true),               // a middle slash anchors too
        ("doc/*.md", "x/doc/a.md", false, false),
        ("doc/*.md", "doc/sub/a.md", false, false),          // * does not cross '/'
        ("**/cache", "cache", true, true),
        ("**/cache", "a/b/cache", true, true),
        ("a/**/z", "a/z", false, true),
        ("a/**/z", "a/b/c/z", false, true),
        ("out/**", "out/x/y", false, true),
        ("out/**", "out", true, false),                      // everything inside, not the folder
        ("[ab]?.txt", "b1.txt", false, true),
        ("[ab]?.txt", "c1.txt", false, false),
        ("\\#x", "#x", false, true),
        ("trailing  ", "trailing", false, true),             // unescaped trailing spaces dropped
    ]

    @Test func gitignorePatternsMatchLikeGit() {
        for (text, path, isDirectory, expected) in Self.patterns {
            let p = GlobPattern(gitignoreLine: text)
            #expect(p?.matches(path, isDirectory: isDirectory) == expected, "\(text) vs \(path)")
        }
        #expect(GlobPattern(gitignoreLine: "# comment") == nil)
        #expect(GlobPattern(gitignoreLine: "   ") == nil)
        #expect(GlobPattern(gitignoreLine: "!keep.log")?.negated == true)
        #expect(GlobPattern(glob: "#notacomment")?.matches("#notacomment", isDirectory: false) == true)
    }

    /// Writes files (text "x") and returns the folder.
    static func tree(_ files: [String: String]) throws -> FormatScratch {
        let dir = try FormatScratch("walk")
        for (name, text) in files { try dir.write(name, Array(text.utf8)) }
        return dir
    }

    static func walk(_ dir: FormatScratch, _ configure: (inout WalkOptions) throws -> Void = { _ in }) throws -> [String] {
        var options = WalkOptions()
        try configure(&options)
        return try DirectoryWalker.regularFiles(under: dir.path, options: options).map { String($0.dropFirst(dir.path.count + 1)) }
    }

    @Test func gitignoreFilesAreObeyedDeeperFilesAndLaterLinesWin() throws {
        let dir = try Self.tree([
            ".gitignore": "*.log\n!keep.log\nbuild/\n/root-only.txt\n",
            "a.txt": "x", "a.log": "x", "keep.log": "x", "root-only.txt": "x", "build/out.txt": "x",
            "sub/root-only.txt": "x", "sub/b.log": "x",
            "sub/.gitignore": "!b.log\nsecret.txt\n", "sub/secret.txt": "x",
            "sub/.ignore": "b.log\n",                       // .ignore wins over .gitignore
            "other/secret.txt": "x",
        ])
        #expect(try Self.walk(dir) == ["a.txt", "keep.log", "other/secret.txt", "sub/root-only.txt"])
        #expect(try Self.walk(dir) { $0.obeyIgnoreFiles = false }
                == ["a.log", "a.txt", "build/out.txt", "keep.log", "other/secret.txt", "root-only.txt",
                    "sub/b.log", "sub/root-only.txt", "sub/secret.txt"])
    }

    @Test func globsComeFirstLastOneWinsAndIncludesLeaveOutTheRest() throws {
        let dir = try Self.tree([
            "a.txt": "x", "b.md": "x", "c.py": "x", "sub/d.txt": "x", "sub/e.md": "x",
            ".gitignore": "*.md\n", ".hidden.txt": "x", "skip/f.txt": "x",
        ])
        #expect(try Self.walk(dir) { $0.globs = try GlobFilter(["*.txt"]) }
                == [".hidden.txt", "a.txt", "skip/f.txt", "sub/d.txt"])   // a matching glob beats hidden, like rg
        #expect(try Self.walk(dir) { $0.globs = try GlobFilter(["*.md"]) } == ["b.md", "sub/e.md"])  // and .gitignore
        #expect(try Self.walk(dir) { $0.globs = try GlobFilter(["!*.py", "!skip/"]) } == ["a.txt", "sub/d.txt"])
        #expect(try Self.walk(dir) { $0.globs = try GlobFilter(["*.txt", "!sub/*.txt"]) }
                == [".hidden.txt", "a.txt", "skip/f.txt"])
        #expect(FormatFixtures.errorText { _ = try GlobFilter(["!"]) } == "'--glob' needs a pattern, not '!'")
    }

    @Test func linksAreLeftOutUnlessFollowedAndAFileIsTakenOnce() throws {
        let dir = try Self.tree(["texts/GPL-3": "licence", "texts/b.txt": "x", "elsewhere/c.txt": "x"])
        let fm = FileManager.default
        try fm.createSymbolicLink(atPath: dir.path + "/texts/GPL", withDestinationPath: "GPL-3")
        try fm.createSymbolicLink(atPath: dir.path + "/texts/more", withDestinationPath: dir.path + "/elsewhere")
        try fm.createSymbolicLink(atPath: dir.path + "/texts/up", withDestinationPath: dir.path + "/texts")
        try fm.linkItem(atPath: dir.path + "/texts/b.txt", toPath: dir.path + "/texts/hard.txt")
        #expect(try Self.walk(dir) == ["elsewhere/c.txt", "texts/GPL-3", "texts/b.txt"])
        #expect(try Self.walk(dir) { $0.followLinks = true } == ["elsewhere/c.txt", "texts/GPL-3", "texts/b.txt"])
        let texts = dir.path + "/texts"
        var follow = WalkOptions()
        follow.followLinks = true
        #expect(try DirectoryWalker.regularFiles(under: texts, options: follow).map { String($0.dropFirst(texts.count + 1)) }
                == ["GPL-3", "b.txt", "more/c.txt"])   // the file's own name over the link's
        // A named file is kept as named; the walk does not read it a second time.
        let expanded = try DirectoryWalker.expand([texts + "/GPL-3", texts], options: follow)
        #expect(expanded.map { $0.path } == [texts + "/GPL-3", texts + "/b.txt", texts + "/more/c.txt"])
        // Hard links have no own name: the first in byte order is kept.
        #expect(try Self.walk(dir).contains("texts/b.txt") && !(try Self.walk(dir).contains("texts/hard.txt")))
        #expect(expanded.map { $0.walked } == [false, true, true])
    }
}
