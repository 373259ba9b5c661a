import EnvelopeCrypto
import Foundation
import Logging

/// IAM Identity Center (SSO) credentials of a profile
/// (https://docs.aws.amazon.com/sdkref/latest/guide/feature-sso-credentials.html): the access token that
/// `aws sso login` cached in `~/.aws/sso/cache/<sha1>.json`, exchanged at the portal's
/// `GET /federation/credentials?account_id=…&role_name=…` (header `x-amz-sso_bearer_token`).
///
/// Two configurations: `sso_session = NAME` with a `[sso-session NAME]` section (`sso_region`,
/// `sso_start_url`; the cache file is the SHA-1 of the session name), or the legacy `sso_start_url` /
/// `sso_region` in the profile (the cache file is the SHA-1 of the start URL). A missing or expired
/// token fails with "run `aws sso login --profile P`". (Refreshing the access token with the cached
/// refresh token, as some SDKs do, is not implemented: sign in again when it expires.)
public struct SSOCredentialsProvider: AWSCredentialsProvider {
    /// The profile (for messages and the login hint).
    public let profile: String
    /// `sso_account_id`.
    public let accountId: String
    /// `sso_role_name`.
    public let roleName: String
    /// `sso_region` (the portal's Region).
    public let ssoRegion: String
    /// The cache key: the session name, or the start URL in the legacy form.
    public let cacheKey: String
    /// The directory of cached tokens (default `~/.aws/sso/cache`).
    public let cacheDirectory: String
    let endpoints: AWSCredentialEndpoints
    let client: CredentialsEndpointClient
    let clock: @Sendable () -> Date

    /// Reads the SSO settings of `profile`; `nil` if it has none.
    public init?(profile: String, config: AWSSharedConfig, endpoints: AWSCredentialEndpoints, http: AWSHTTPClient = AWSHTTPClient(),
                 clock: @escaping @Sendable () -> Date = { Date() }) throws {
        guard let settings = config.settings(of: profile),
              settings["sso_session"] != nil || settings["sso_start_url"] != nil || settings["sso_account_id"] != nil else { return nil }
        let source = AWSCredentialSource.sso(profile: profile)
        func required(_ key: String, in values: [String: String], where place: String) throws -> String {
            guard let value = values[key], !value.isEmpty else {
                throw AWSCredentialsError(.invalidConfiguration, "\(place) has no \(key); run `aws configure sso --profile \(profile)`", source: source)
            }
            return value
        }
        let place = "profile '\(profile)'"
        if let session = settings["sso_session"], !session.isEmpty {
            guard let sessionSettings = config.section("sso-session", session) else {
                throw AWSCredentialsError(.invalidConfiguration, "\(place) names sso_session '\(session)' but the config file has no [sso-session \(session)] section", source: source)
            }
            ssoRegion = try required("sso_region", in: sessionSettings, where: "[sso-session \(session)]")
            cacheKey = session
        } else {
            ssoRegion = try required("sso_region", in: settings, where: place)
            cacheKey = try required("sso_start_url", in: settings, where: place)
        }
        accountId = try required("sso_account_id", in: settings, where: place)
        roleName = try required("sso_role_name", in: settings, where: place)
        self.profile = profile
        cacheDirectory = config.homeDirectory + "/.aws/sso/cache"
        self.endpoints = endpoints
        client = CredentialsEndpointClient(httpClient: http.httpClient, timeout: 10, attempts: 2)
        self.clock = clock
    }

    /// `~/.aws/sso/cache/<hex sha1 of the cache key>.json`.
    public var cacheFile: String {
        get throws {
            let digest = try HashFunction.sha1.digest(Array(cacheKey.utf8))
            return cacheDirectory + "/" + SigV4Encoding.hex(digest) + ".json"
        }
    }

    var loginRequired: String { "run `aws sso login --profile \(profile)`" }

    /// The cached access token, if present and not expired.
    func accessToken() throws -> String {
        let source = AWSCredentialSource.sso(profile: profile)
        let path = try cacheFile
        guard let data = FileManager.default.contents(atPath: path), let json = CredentialsParsing.jsonObject(Array(data)),
              let token = json["accessToken"] as? String, !token.isEmpty else {
            throw AWSCredentialsError(.ssoLoginRequired, "no IAM Identity Center token is cached for this profile; \(loginRequired)", source: source)
        }
        guard let text = json["expiresAt"] as? String, let expiresAt = STSAssumeRoleCredentialsProvider.parseISO8601(text) else {
            throw AWSCredentialsError(.ssoLoginRequired, "the cached IAM Identity Center token has no valid expiresAt; \(loginRequired)", source: source)
        }
        guard expiresAt > clock() else {
            throw AWSCredentialsError(.ssoLoginRequired, "the IAM Identity Center token expired at \(text); \(loginRequired)", source: source)
        }
        return token
    }

    /// Exchanges the cached token for the role's credentials.
    public func credentials(logger: Logger) async throws -> AWSCredentials {
        let source = AWSCredentialSource.sso(profile: profile)
        let token = try accessToken()
        var components = URLComponents(url: try endpoints.resolve(.ssoPortal, ssoRegion).appendingPathComponent("federation/credentials"),
                                       resolvingAgainstBaseURL: false)
        components?.queryItems = [URLQueryItem(name: "account_id", value: accountId), URLQueryItem(name: "role_name", value: roleName)]
        guard let url = components?.url else {
            throw AWSCredentialsError(.invalidConfiguration, "the IAM Identity Center portal URL cannot be formed", source: source)
        }
        let response = try await client.send(.GET, url, headers: [("x-amz-sso_bearer_token", token)], source: source, what: "the IAM Identity Center portal")
        if response.status == 401 || response.status == 403 {
            throw AWSCredentialsError(.ssoLoginRequired, "the IAM Identity Center portal refused the cached token (HTTP \(response.status)); \(loginRequired)", source: source)
        }
        guard (200..<300).contains(response.status) else {
            let error = AWSErrorResponse.decode(status: response.status, headers: response.headers, body: response.body)
            throw AWSCredentialsError(.endpointFailed, "GetRoleCredentials of \(roleName) in \(accountId) failed: \(error)", source: source, cause: error)
        }
        guard let json = CredentialsParsing.jsonObject(response.body), let role = json["roleCredentials"] as? [String: Any],
              let id = role["accessKeyId"] as? String, let secret = role["secretAccessKey"] as? String else {
            throw AWSCredentialsError(.endpointFailed, "the IAM Identity Center portal answered without roleCredentials", source: source)
        }
        let expiration = (role["expiration"] as? NSNumber).map { Date(timeIntervalSince1970: $0.doubleValue / 1000) }
        logger.debug("credentials from IAM Identity Center", metadata: ["profile": "\(profile)", "accessKeyId": "\(id)"])
        return try AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: role["sessionToken"] as? String,
                                  expiration: expiration).from(source)
    }
}
