import Foundation
import PackagePlugin

/// Writes `GitCommit.swift` (`let buildGitCommit = "…"`) for `envelope --version`: the commit the
/// sources were built from, or "unknown" outside a git checkout or without git, so that a build from
/// a tarball still works. The file is rewritten only when the commit changed (no needless rebuilds).
@main
struct GitCommitPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let outputDirectory = context.pluginWorkDirectoryURL.appending(path: "GeneratedSources")
        let script = """
            set -u
            commit=$(cd "$1" 2>/dev/null && git rev-parse --short=12 HEAD 2>/dev/null) || commit=unknown
            case "$commit" in *[!0-9a-f]*|"") commit=unknown ;; esac
            mkdir -p "$2"
            text="// Generated at build time by GitCommitPlugin; do not edit.
            let buildGitCommit = \\"$commit\\"
            "
            if [ "$(cat "$2/GitCommit.swift" 2>/dev/null)" != "$(printf '%s' "$text")" ]; then
              printf '%s' "$text" > "$2/GitCommit.swift"
            fi
            """
        return [.prebuildCommand(displayName: "Recording the git commit for envelope --version",
                                 executable: URL(fileURLWithPath: "/bin/sh"),
                                 arguments: ["-c", script, "sh", context.package.directoryURL.path, outputDirectory.path],
                                 outputFilesDirectory: outputDirectory)]
    }
}
