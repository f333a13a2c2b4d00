import ArgumentParser
import Banyan
import Foundation

struct FastImport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fast-import",
        abstract: "Read a git fast-import stream from standard input, like git fast-import.",
        discussion: """
            Writes the same objects, with the same ids, as git fast-import on the same stream: blob, \
            commit (M, D, C, R, deleteall; from and merge by branch, mark, id or revision), tag, reset, \
            checkpoint, progress, done, feature and option. Refs move at each checkpoint and at the \
            end; a branch that would lose commits is left alone (exit status 1) unless --force. \
            Dates are read in the raw format only (seconds and zone); notes (N), ls, cat-blob, \
            get-mark and alias are refused. A malformed stream moves no ref and names the line.
            """)

    @Flag(help: "Update branches even when the new tip does not contain the old one.")
    var force = false
    @Flag(help: "Print nothing but errors and warnings.")
    var quiet = false
    @Option(help: ArgumentHelp("Load marks from this file first.", valueName: "file"))
    var importMarks: String?
    @Option(help: ArgumentHelp("Load marks from this file first, if it exists.", valueName: "file"))
    var importMarksIfExists: String?
    @Option(help: ArgumentHelp("Write all marks to this file at the end and at each checkpoint.", valueName: "file"))
    var exportMarks: String?
    @Flag(help: "Let the stream's import-marks and export-marks features name files.")
    var allowUnsafeFeatures = false
    @Option(help: ArgumentHelp("raw (the default) or raw-permissive (zones beyond ±1400).", valueName: "format"))
    var dateFormat = "raw"
    @OptionGroup var repository: RepositoryOptions

    func validate() throws {
        guard dateFormat == "raw" || dateFormat == "raw-permissive" else {
            throw ValidationError("--date-format: only raw and raw-permissive are supported, not '\(dateFormat)'")
        }
    }

    func run() throws {
        let repo = try repository.open()
        var options = FastImportOptions()
        options.force = force
        options.importMarks = importMarks
        options.importMarksIfExists = importMarksIfExists
        options.exportMarks = exportMarks
        options.permissiveDates = dateFormat == "raw-permissive"
        options.allowUnsafeFeatures = allowUnsafeFeatures
        options.progress = { Output.line("progress " + $0); Output.flush() }   // as git, at once
        let result = try repo.fastImport(from: .fileDescriptor(FileHandle.standardInput.fileDescriptor), options: options)
        for skipped in result.skipped {
            FileHandle.standardError.write(Data("warning: \(skipped.reason)\n".utf8))
        }
        if !quiet {
            let counts = ObjectKind.allCases.map { "\(result.objectCounts[$0] ?? 0) \($0)s" }.joined(separator: ", ")
            FileHandle.standardError.write(Data("fast-import: \(counts); \(result.updated.count) refs updated\n".utf8))
        }
        if !result.skipped.isEmpty { throw ExitCode(1) }
    }
}
