import ArgumentParser
import EnvelopeKMS
import EnvelopeKMSPolicy
import EnvelopeLocalKMS
import Foundation

/// `envelope policy simulate`: would this call be allowed, and by which statement?
struct PolicySimulate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Answer allow or deny for a KMS call, with the deciding statements, without making the call.",
        discussion: """
            Local only (--kms local). The local KMS's own evaluator answers
            (key policy, the caller's IAM policies, grants), the same code that
            decides real requests, so the answer is what the call would get.
            -c KEY=VALUE gives the request's encryption context; --condition
            KEY=VALUE sets any other request condition key (e.g.
            kms:RequestAlias=alias/NAME, kms:GrantOperations=Decrypt).
            Prints {"Decision": "Allow"|"Deny", "Missing": …, "Statements": […],
            "Explanation": "…"}; exit status 0 for Allow, 77 for Deny.
            """)

    @Option(name: .customLong("principal"), help: ArgumentHelp("The calling principal (user, role, role session or account root).", valueName: "ARN")) var principal: String
    @Option(name: .long, help: ArgumentHelp("The action, e.g. kms:Decrypt.", valueName: "ACTION")) var action: String
    @Option(name: .long, help: ArgumentHelp("The key ARN.", valueName: "ARN")) var key: String
    @Option(name: .customShort("c"), parsing: .upToNextOption, help: ArgumentHelp("Encryption context pairs.", valueName: "KEY=VALUE")) var context: [String] = []
    @Option(name: .customLong("condition"), parsing: .upToNextOption, help: ArgumentHelp("Other request condition keys.", valueName: "KEY=VALUE")) var conditions: [String] = []
    @Option(name: .customLong("via-service"), help: ArgumentHelp("An AWS service calling on the principal's behalf (kms:ViaService).", valueName: "SERVICE")) var viaService: String?
    @OptionGroup var backend: KMSBackendOptions

    static func pairs(_ texts: [String], option: String) throws(CLIError) -> [(String, String)] {
        try texts.map { (text) throws(CLIError) in
            guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
                throw CLIError.usage("\(option) \(text): expected KEY=VALUE", hint: "e.g. \(option) Department=IT")
            }
            return (String(text[..<equals]), String(text[text.index(after: equals)...]))
        }
    }

    func run() async throws {
        let caller = try KMSBackend.parsePrincipal(principal, option: "--principal")
        let keyARN = try KMSAdmin.keyARN(key)
        let kmsAction = KMSAction(rawValue: action.hasPrefix("kms:") ? action : "kms:" + action)
        let encryptionContext = Dictionary(try Self.pairs(context, option: "-c"), uniquingKeysWith: { _, new in new })
        var requestKeys: [String: [String]] = [:]
        for (name, value) in try Self.pairs(conditions, option: "--condition") { requestKeys[name, default: []].append(value) }
        let kms = try KMSAdmin.local(backend, command: "policy simulate")
        let explanation = try await KMSAdmin.run("simulating \(kmsAction) on \(keyARN)") {
            try await kms.simulate(principal: caller, action: kmsAction, key: keyARN, encryptionContext: encryptionContext,
                                   requestKeys: requestKeys, viaService: viaService)
        }
        let statements = explanation.statements.map { reference -> JSONValue in
            var members: [(String, JSONValue)] = [("Policy", .string(reference.source.description))]
            if let index = reference.statementIndex { members.append(("Statement", .number(Double(index)))) }
            if let sid = reference.sid { members.append(("Sid", .string(sid))) }
            members.append(("Effect", .string(reference.effect.rawValue)))
            return .object(members)
        }
        JSONOutput.print(.object([
            ("Decision", .string(explanation.isAllowed ? "Allow" : "Deny")),
            ("Missing", explanation.denial.map { .string($0.missingSide) } ?? .null),
            ("Statements", .array(statements)),
            ("Explanation", .string(explanation.description)),
        ]))
        if !explanation.isAllowed { throw ExitCode(CLIExitCode.accessDenied.rawValue) }
    }
}
