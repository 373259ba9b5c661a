/// The one moto launcher of the test targets: moto's server (`moto[server]` from the test venv) on
/// 127.0.0.1 at a free port, prepared by a Python snippet, running until the returned peer is
/// stopped or released (the script waits on its stdin).
public enum MotoServer {
    /// Starts moto and runs `setup`, Python at top level that may use `url` (the endpoint), `setup`
    /// (boto3 client arguments for that endpoint in us-east-1 with placeholder keys), `json` and
    /// `urllib.request`, and adds what the test needs to the dict `out`, which already holds
    /// `endpoint`. `out` is the returned peer's `ready`.
    public static func launch(setup: String) throws -> PythonPeer {
        try PythonPeer(script: prologue + setup + epilogue)
    }

    private static let prologue = #"""
import json, sys, urllib.request
import boto3
from moto.server import ThreadedMotoServer
server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
server.start()
host, port = server.get_host_and_port()
url = f"http://127.0.0.1:{port}"
setup = dict(endpoint_url=url, region_name="us-east-1", aws_access_key_id="setup", aws_secret_access_key="setup")
out = {"endpoint": url}

"""#

    private static let epilogue = #"""

print(json.dumps(out), flush=True)
sys.stdin.read()
server.stop()
"""#
}
