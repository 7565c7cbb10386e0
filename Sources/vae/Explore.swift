import ArgumentParser
import CourseSupport
import Explorer
import Foundation
import VAECore

/// `vae explore <checkpoint>`: a web page to explore a trained model, served on this machine.
///
///     swift run -c release vae explore runs/vae/checkpoint.safetensors      # then open http://127.0.0.1:8018/
///
/// The checkpoint is opened as `vae evaluate` opens it (a missing or broken one fails here,
/// with the same message), the test set is encoded once (about a second for 10,000 images),
/// and the page's requests are answered until the process is stopped (Ctrl-C). Nothing is
/// written: the checkpoint stays as it was.
struct Explore: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Explore a trained VAE in the browser: the code's map, sliders, interpolation, drawing, layer activations.",
        discussion: """
            Serves one page at http://127.0.0.1:PORT/ (HTML, CSS and JavaScript shipped with the package; \
            nothing is fetched from elsewhere) until stopped with Ctrl-C. It answers requests addressed to \
            this machine's loopback names only (see --allow-host). Any checkpoint the course writes \
            loads: plain, β, conditional (with or without label centres).
            """)

    @Argument(help: ArgumentHelp("A safetensors checkpoint with the model's configuration under the metadata key \"model_config\".",
                                 valueName: "checkpoint"))
    var checkpoint: String

    @OptionGroup var server: ServerOptions

    @Option(name: .long, parsing: .unconditional, help: "Encode only the first N test images for the map and the test scores.")
    var testImages: Int?

    @Option(name: .long, help: ArgumentHelp("Folder of the MNIST-named IDX files (t10k-images-idx3-ubyte.gz, ...).",
                                            discussion: "Defaults to the copy of MNIST bundled with the package.",
                                            valueName: "dir"))
    var data: String?

    func validate() throws {
        if let testImages, testImages < 2 { throw ValidationError("--test-images must be at least 2, not \(testImages)") }
        try server.check()
    }

    func run() throws {
        let url = URL(fileURLWithPath: checkpoint)
        // As `vae evaluate` opens it, first: the same messages for a missing or broken file.
        let saved = try Checkpoint.read(from: url)
        let model = try saved.makeModel()
        let assets = try WebAssets()
        let directory = data.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? MNIST.bundledDirectory
        let test = try MNIST.load(split: .test, from: directory)
        let session = try ExplorerSession(checkpoint: saved, model: model, url: url, testSet: testImages.map { test.prefix($0) } ?? test)
        log("checkpoint  \(url.path)")
        log("model       \(session.summary), \(session.parameterCount) parameters")
        log(String(format: "opened in %.1f s: %d test images encoded, %@ of each scored (%@ threshold %.1f, the %.0fth percentile)",
                   session.openingSeconds, session.test.count, session.score.name, session.score.name,
                   session.reference.threshold, session.reference.quantile * 100))
        log(session.savedMap.map { "map         PCA, and \($0.method) (chapter 8)" } ?? "map         PCA only: \(session.savedMapNote ?? "")")
        let routes = ExplorerRoutes(session: session, assets: assets)
        let (host, hosts) = (server.host, server.allowedHosts)
        try WebServer.serveForever(host: host, port: UInt16(server.port), allowedHosts: hosts, respond: routes.respond) { url in
            FileHandle.standardOutput.write(Data("explorer: \(url.absoluteString)  (Ctrl-C stops it)\n".utf8))
            for line in ServerOptions.warnings(host: host, allowedHosts: hosts, url: url) { log(line) }
        }
        while true { sleep(3600) }
    }
}

/// Where the explorer's and the live view's server listens, and which names it answers to.
struct ServerOptions: ParsableArguments {
    @Option(name: .long, parsing: .unconditional, help: "The TCP port of the page (0: any free port, printed at start).")
    var port: Int = 8018

    @Option(name: .long, help: ArgumentHelp("The IPv4 address to listen on: 127.0.0.1 (this machine only), an address of one of this machine's networks, or 0.0.0.0 (every network: anyone who can reach this machine can use the page, and read the checkpoint's path).",
                                            valueName: "address"))
    var host: String = "127.0.0.1"

    @Option(name: .customLong("allow-host"), help: ArgumentHelp(
        "Also answer requests that name this host (repeatable; '*' answers any name).",
        discussion: """
            The server answers only requests addressed to localhost, 127.0.0.1 or [::1] (any port), and the \
            address given with --host; others are refused with 421. This keeps a page on another site from \
            reaching it through a name of its own that points here (DNS rebinding). To use the page from \
            another machine through 0.0.0.0, name what that machine types in its address bar, e.g. \
            --host 0.0.0.0 --allow-host mybox.local.
            """,
        valueName: "name"))
    var allowHost: [String] = []

    var allowedHosts: AllowedHosts { AllowedHosts(allowHost) }

    func check() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must lie in 0…65535, not \(port)") }
        guard host.split(separator: ".").count == 4, host.split(separator: ".").allSatisfy({ UInt8($0) != nil }) else {
            throw ValidationError("--host takes an IPv4 address such as 127.0.0.1 or 0.0.0.0, not '\(host)'")
        }
        if let empty = allowHost.first(where: { AllowedHosts.hostName(of: $0).isEmpty }) {
            throw ValidationError("--allow-host takes a host name such as mybox.local, not '\(empty)'")
        }
    }

    /// Warnings for standard error once the server listens at `url`: where it really listens
    /// when that is not this machine only, and which names it answers to.
    static func warnings(host: String, allowedHosts hosts: AllowedHosts, url: URL) -> [String] {
        var lines: [String] = []
        let port = url.port.map(String.init) ?? "?"
        if !WebServer.isLoopback(host) {
            let reach = host == "0.0.0.0" ? "every network interface of this machine" : "the network of \(host)"
            lines.append("warning: listening on \(host):\(port), \(reach): anyone who can reach this machine "
                         + "can use the page and read the checkpoint's path (--host 127.0.0.1 keeps it to this machine)")
        }
        if hosts.acceptsAnyHost {
            lines.append("warning: --allow-host '*' answers requests naming any host: a page on another site could read this one through DNS rebinding")
        } else if !hosts.names.isEmpty {
            lines.append("answering requests for localhost, 127.0.0.1, [::1] and \(hosts.names.sorted().joined(separator: ", "))")
        }
        return lines
    }
}
