import Banyan
import Foundation

/// banyan-bench W1|W1T|W2|W3|W4|W5|W5E|W6|W7|PG|PGN|all [--runs N] [--smoke] [--json]
///
/// Runs each workload of ../shared/BENCHMARKS.md `runs` times, each run in a
/// fresh child process (so peak RSS is per run) on a fresh directory, and
/// prints the median, min and max of every figure. W4 and W5 also run the
/// `banyan` executable (next to this one, or `$BANYAN_BIN`). PG (not in
/// `all`) needs a PostgreSQL server named by `$BANYAN_BENCH_POSTGRES_URL`.
struct Options {
    var workloads: [String] = []
    var runs = 3
    var smoke = false
    var json = false
    var child = false
}

func parseOptions() -> Options {
    var options = Options()
    var args = CommandLine.arguments.dropFirst()
    while let arg = args.popFirst() {
        switch arg {
        case "--runs": options.runs = Int(args.popFirst() ?? "") ?? 3
        case "--smoke": options.smoke = true
        case "--json": options.json = true
        case "--child": options.child = true
        case "all": options.workloads += ["W1", "W2", "W3", "W4", "W5", "W5E", "W6", "W7"]
        default: options.workloads.append(arg.uppercased())
        }
    }
    if options.workloads.isEmpty { options.workloads = ["W1", "W2", "W3", "W4", "W5", "W6", "W7"] }
    return options
}

func peakRSSBytes() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) * 1024
}

/// CPU seconds (user and system) this process has used: on a shared machine a
/// steadier measure of a change than wall time.
func processCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// Runs one workload in this process and prints its figures as JSON.
func runChild(_ workload: String, scale: Scale) throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("banyan-bench-\(UUID().uuidString)").path
    // BANYAN_BENCH_KEEP=1 keeps the workload's stores for a closer look.
    let keep = ProcessInfo.processInfo.environment["BANYAN_BENCH_KEEP"] != nil
    if keep { FileHandle.standardError.write(Data("\(workload) stores kept in \(dir)\n".utf8)) }
    defer { if !keep { try? FileManager.default.removeItem(atPath: dir) } }
    var figures: [Figure]
    switch workload {
    case "W1": figures = try Workloads.history(scale, at: dir)
    case "W1T": figures = try Workloads.historyEach(scale, at: dir)
    case "W2": figures = try Workloads.bulk(scale, at: dir)
    case "W3": figures = try Workloads.reads(scale, at: dir)
    case "W4": figures = try Workloads.merge(scale, at: dir)
    case "W5": figures = try Workloads.clone(scale, at: dir)
    case "W5E": figures = try Workloads.encryptedClone(scale, at: dir)
    case "W6": figures = try Workloads.durable(scale, at: dir)
    case "W7": figures = try Workloads.service(scale, at: dir)
    case "PG": figures = try Workloads.postgres(scale, at: dir)
    case "PGN": figures = try Workloads.nodes(scale, at: dir)
    default: throw BanyanError(.invalidArgument, "unknown workload \(workload) (W1, W1T, W2, W3, W4, W5, W5E, W6, W7, PG, PGN)")
    }
    figures.append(Figure(name: "peak RSS", value: peakRSSBytes(), unit: "bytes"))
    FileHandle.standardOutput.write(try JSONEncoder().encode(figures))
}

func runParent(_ options: Options) throws {
    var report: [String: [String: [String: Double]]] = [:]
    for workload in options.workloads {
        var samples: [String: [Double]] = [:]
        var units: [String: String] = [:]
        for _ in 0..<options.runs {
            let output = try Processes.output(CommandLine.arguments[0], [workload, "--child"] + (options.smoke ? ["--smoke"] : []))
            for figure in try JSONDecoder().decode([Figure].self, from: Data(output.utf8)) {
                samples[figure.name, default: []].append(figure.value)
                units[figure.name] = figure.unit
            }
        }
        var summary: [String: [String: Double]] = [:]
        for (name, values) in samples {
            let sorted = values.sorted()
            summary[name] = ["median": sorted[sorted.count / 2], "min": sorted.first!, "max": sorted.last!]
        }
        report[workload] = summary
        if !options.json {
            for name in summary.keys.sorted() {
                let s = summary[name]!
                print(String(format: "%@  %-18@ median %12.2f  min %12.2f  max %12.2f  %@",
                             workload, name, s["median"]!, s["min"]!, s["max"]!, units[name] ?? ""))
            }
        }
    }
    if options.json {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        FileHandle.standardOutput.write(try encoder.encode(report))
        print()
    }
}

let options = parseOptions()
do {
    if options.child {
        try runChild(options.workloads[0], scale: options.smoke ? .smoke : .full)
    } else {
        try runParent(options)
    }
} catch {
    FileHandle.standardError.write(Data("banyan-bench: \(error)\n".utf8))
    exit(1)
}
