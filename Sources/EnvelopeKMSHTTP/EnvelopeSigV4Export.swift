// Callers of the HTTP transport build `AWSCredentials` and read SigV4 results; they come from the
// EnvelopeSigV4 leaf, re-exported so that `import EnvelopeKMSHTTP` alone is enough.
@_exported import EnvelopeSigV4
