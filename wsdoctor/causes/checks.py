"""The knowledge base: every cause id a check can emit, in wsdoctor's own words.

`section` names the part of the seed article ("Resolving 'No Close Frame Received'") the
advice derives from; `links` are names from LINKS or full URLs. Kept as Python data, not
TOML, so `wsdoctor explain` does not pay for a parser at start-up.
"""

from __future__ import annotations

from .entry import CauseEntry

CAUSES: dict[str, CauseEntry] = {
    "sdk.outdated_websockets": {
        "title": "The websockets library is too old",
        "meaning": "Releases of python-websockets before 15.0 ignore proxy settings entirely and handle a few closing sequences less carefully. Behind a corporate proxy such a client tries to connect directly and is usually dropped by the firewall.",
        "steps": [
            "Upgrade websockets in the environment that runs your client: pip install -U 'websockets>=15'.",
            "If a pinned dependency holds it back, raise the pin or move that code to the new asyncio client (websockets.asyncio.client.connect).",
            "Run wsdoctor check again to confirm the new version is the one your application imports.",
        ],
        "section": "SDK and Libraries",
        "links": ["sdks", "websockets_proxy"],
    },
    "sdk.legacy_client_ignores_proxy": {
        "title": "The Deepgram SDK's async client ignores your proxy",
        "meaning": "The installed deepgram-sdk opens async live streams with websockets.legacy, which has no proxy support. A proxy is configured on this machine, so SDK streams will try to go direct, and on a network that only allows traffic through the proxy they stall or drop without a close frame.",
        "steps": [
            "Use the SDK's synchronous (threaded) live client, which uses the proxy-aware websockets client, or open the socket yourself with websockets.asyncio.client.connect (proxy=True is its default).",
            "Alternatively, ask the network team to allow direct egress to the Deepgram host on port 443 for this workload.",
            "Upgrade deepgram-sdk when a release switches its async path to the new websockets client.",
        ],
        "section": "SDK and Libraries",
        "links": ["sdks", "python_sdk", "websockets_proxy"],
    },
    "sdk.outdated_deepgram_sdk": {
        "title": "The Deepgram SDK is an old major version",
        "meaning": "Older deepgram-sdk majors predate fixes to keepalive handling, CloseStream on exit and reconnection. Streams opened with them are more likely to end in NET-0001 or without a close frame.",
        "steps": [
            "Upgrade: pip install -U deepgram-sdk (read the migration guide; the API changed between majors).",
            "After upgrading, make sure your code sends CloseStream (or calls the SDK's finish method) when it is done.",
        ],
        "section": "SDK and Libraries",
        "links": ["sdks", "python_sdk"],
    },
    "dns.nxdomain": {
        "title": "The host name does not resolve",
        "meaning": "The resolver says the name does not exist. Either the URL has a typo, the region host is wrong, or a resolver on this network is filtering the name.",
        "steps": [
            "Check the host in your URL (api.deepgram.com, or api.eu / api.au / api.in for regional endpoints).",
            "Compare with another resolver: wsdoctor check --dns-server 1.1.1.1.",
            "If only the local resolver fails, ask the network team whether the name is filtered.",
        ],
        "section": "Network Instability",
        "links": ["troubleshooting"],
    },
    "dns.no_answer": {
        "title": "The host name has no addresses",
        "meaning": "The name exists but the resolver returned no A or AAAA records, so there is nothing to connect to.",
        "steps": [
            "Try another resolver with --dns-server to tell a local resolver problem from a global one.",
            "If you use a private or self-hosted endpoint, check its DNS records.",
        ],
        "section": "Network Instability",
        "links": ["troubleshooting"],
    },
    "dns.timeout": {
        "title": "The DNS resolver does not answer",
        "meaning": "No answer came back from the resolver in time. Every connection attempt will wait on this before failing, which looks like a hang in your application.",
        "steps": [
            "Check that the resolvers in /etc/resolv.conf (or your OS settings) are reachable.",
            "Try a different resolver with --dns-server to confirm.",
            "On flaky networks, add retries with backoff around connection setup in your client.",
        ],
        "section": "Network Instability",
        "links": ["troubleshooting"],
    },
    "dns.servfail": {
        "title": "The DNS resolver failed",
        "meaning": "The resolver answered with a server failure. This is a problem on the resolver's side (or with DNSSEC validation), not with Deepgram.",
        "steps": [
            "Retry, then try another resolver with --dns-server.",
            "Report the failing resolver to whoever runs it.",
        ],
        "section": "Network Instability",
        "links": ["troubleshooting"],
    },
    "dns.private_answer": {
        "title": "A public host name resolved to a private address",
        "meaning": "The Deepgram host was answered with a private, loopback or link-local address. A split-horizon DNS, a filtering appliance or a hosts-file entry is redirecting your traffic somewhere that is not Deepgram.",
        "steps": [
            "Look for an /etc/hosts entry or a local DNS override for the host.",
            "Ask the network team whether traffic to the Deepgram host is redirected on purpose (for example to an inspection proxy).",
            "If it is intentional, make sure that hop supports WebSocket upgrades and long-lived connections.",
        ],
        "section": "Proxy or Firewall Restrictions",
        "links": ["troubleshooting"],
    },
    "proxy.unreachable": {
        "title": "The configured proxy cannot be reached",
        "meaning": "A proxy is configured for this URL but wsdoctor could not open a TCP connection to it, so every WebSocket attempt through it fails before reaching Deepgram.",
        "steps": [
            "Check the proxy host and port in HTTPS_PROXY / WSS_PROXY (or --proxy).",
            "If this machine should connect directly, unset the variable or add the Deepgram host to NO_PROXY.",
        ],
        "section": "Proxy or Firewall Restrictions",
        "links": ["websockets_proxy"],
    },
    "proxy.connect_denied": {
        "title": "The proxy refuses to tunnel to Deepgram",
        "meaning": "The proxy answered the CONNECT request with a refusal. Proxies often only allow CONNECT to a list of hosts or ports, and WebSocket traffic to Deepgram is not on it.",
        "steps": [
            "Ask the proxy administrators to allow CONNECT to the Deepgram host on port 443 (and long-lived connections on it).",
            "Send them the proxy status and headers from this report.",
        ],
        "section": "Proxy or Firewall Restrictions",
        "links": ["troubleshooting"],
    },
    "proxy.upstream_failed": {
        "title": "The proxy cannot reach Deepgram",
        "meaning": "The proxy is up and accepted the request, but answered CONNECT with a 5xx status (502, 503, 504; tinyproxy says 500): it could not resolve or connect to the Deepgram host itself. The proxy is not refusing you; its own way out is broken.",
        "steps": [
            "Send the proxy administrators the status and any error header in this report: the proxy's own DNS or egress to the Deepgram host on port 443 is failing.",
            "Until it is fixed, try another proxy or a direct route if your network allows one.",
        ],
        "section": "Proxy or Firewall Restrictions",
        "links": ["troubleshooting"],
    },
    "proxy.auth_required": {
        "title": "The proxy wants credentials",
        "meaning": "The proxy answered 407 Proxy Authentication Required. The client must send credentials, usually in the proxy URL as http://user:password@proxy:port.",
        "steps": [
            "Put the credentials in the proxy URL your client uses (wsdoctor never prints them).",
            "If the proxy wants NTLM or Kerberos, python-websockets cannot do that; use a local forwarding proxy or ask for an exemption.",
        ],
        "section": "Proxy or Firewall Restrictions",
        "links": ["websockets_proxy"],
    },
    "proxy.bad_config": {
        "title": "The proxy setting cannot be used",
        "meaning": "A proxy variable is set to a value that is not a usable proxy URL, so clients will either fail or silently ignore it.",
        "steps": [
            "Fix the variable: it must look like http://host:port (or socks5h://host:port with python-socks installed).",
            "Remember that websockets reads WSS_PROXY / HTTPS_PROXY but not ALL_PROXY.",
        ],
        "section": "Proxy or Firewall Restrictions",
        "links": ["websockets_proxy"],
    },
    "proxy.untrusted_certificate": {
        "title": "The https:// proxy's own certificate is not trusted",
        "meaning": "The proxy URL starts with https://, so the client speaks TLS to the proxy before anything else, and the certificate the proxy presents does not verify against the default trust store or --ca-file. Every connection through this proxy fails before it reaches Deepgram.",
        "steps": [
            "Get the CA that signed the proxy's certificate from the network team and pass it with --ca-file (for your app: SSL_CERT_FILE, or proxy_ssl in websockets).",
            "If the proxy also accepts plain http://, use that URL instead: the tunnel to Deepgram is still end-to-end TLS.",
        ],
        "section": "Proxy or Firewall Restrictions",
        "links": ["websockets_proxy"],
    },
    "proxy.clients_disagree": {
        "title": "WebSocket and HTTP clients would take different routes",
        "meaning": "python-websockets and httpx read proxy settings differently: websockets uses WSS_PROXY / HTTPS_PROXY but ignores ALL_PROXY, httpx also reads ALL_PROXY. Here one would go through a proxy and the other directly, so the REST API (and deepgram-sdk's REST calls) may work while live streams are blocked, or the other way round.",
        "steps": [
            "Set the proxy in HTTPS_PROXY (and WSS_PROXY if you want to be explicit) rather than only ALL_PROXY.",
            "Or add the Deepgram host to NO_PROXY if both should go direct.",
        ],
        "section": "Proxy or Firewall Restrictions",
        "links": ["websockets_proxy"],
    },
    "tcp.refused": {
        "title": "The connection is refused",
        "meaning": "The first hop actively refused the TCP connection: nothing listens there, or a firewall rejects the port.",
        "steps": [
            "Check the host and port in the URL (or the proxy).",
            "Ask the network team whether outbound connections to that port are blocked.",
        ],
        "section": "Proxy or Firewall Restrictions",
        "links": ["troubleshooting"],
        "explains": ["rest.unreachable"],
    },
    "rest.bad_proxy": {
        "title": "httpx cannot use the proxy setting it reads",
        "meaning": "httpx, which deepgram-sdk uses for REST calls, reads ALL_PROXY as well as HTTP(S)_PROXY, and the setting it would use is not a usable proxy URL (a bad port, an unsupported scheme, no host). httpx fails before sending anything, so REST calls, including the REST fallback, fail in your application too; websockets ignores ALL_PROXY, so live streams may still work.",
        "steps": [
            "Fix or unset the variable named in the message (often ALL_PROXY): a proxy URL looks like http://host:port, https://host:port or socks5://host:port.",
            "Run wsdoctor check again to confirm the REST check passes.",
        ],
        "section": "Proxy or Firewall Restrictions",
        "links": ["websockets_proxy"],
    },
    "tcp.timeout": {
        "title": "The connection attempt times out",
        "meaning": "TCP connection attempts get no answer at all. A firewall is silently dropping the traffic, or the network path is down.",
        "steps": [
            "Ask the network team whether egress to the Deepgram host on port 443 is allowed.",
            "If you are on a VPN or restricted network, try from another network to compare.",
        ],
        "section": "Network Instability",
        "links": ["troubleshooting"],
        "explains": ["rest.unreachable"],
    },
    "tcp.unreachable": {
        "title": "The network route is missing",
        "meaning": "The operating system has no route to the address (often an IPv6 address on a network without IPv6).",
        "steps": [
            "If only IPv6 fails, prefer IPv4 in your client or fix IPv6 routing.",
            "Check VPN and routing settings on this machine.",
        ],
        "section": "Network Instability",
        "links": ["troubleshooting"],
        "explains": ["rest.unreachable"],
    },
    "tls.handshake_failed": {
        "title": "The TLS handshake fails",
        "meaning": "The TLS handshake did not complete. Something in the path does not speak TLS on this port or resets the connection during the handshake.",
        "steps": [
            "Check that the URL uses wss:// for TLS ports and ws:// only for plain self-hosted servers.",
            "Ask the network team whether a firewall inspects or blocks TLS to the Deepgram host.",
        ],
        "section": "Proxy or Firewall Restrictions",
        "links": ["troubleshooting"],
        "explains": ["rest.unreachable"],
    },
    "tls.verify_failed": {
        "title": "The server certificate is not trusted",
        "meaning": "The certificate chain could not be verified against the trusted roots, so a correct client refuses to connect (CERTIFICATE_VERIFY_FAILED).",
        "steps": [
            "If a corporate proxy re-signs TLS, get its root certificate and trust it (SSL_CERT_FILE, or the truststore package to use the OS store).",
            "Update the CA bundle: pip install -U certifi.",
            "Never ship certificate verification turned off.",
        ],
        "section": "Proxy or Firewall Restrictions",
        "links": ["troubleshooting"],
        "explains": ["rest.unreachable"],
    },
    "tls.intercepted": {
        "title": "TLS to Deepgram is intercepted",
        "meaning": "The certificate you receive was not issued to the Deepgram host by a public CA: a TLS-inspecting proxy or firewall sits in between and re-signs traffic. That holds whether or not your machine trusts the root it signs with; the report names the evidence (an inspection product's name, an issuer that differs from the one the direct path shows, or a private root behind the proxy for a public name). Such devices often break WebSocket upgrades or cut long-lived streams.",
        "steps": [
            "Ask the network team to exempt the Deepgram host from TLS inspection (an allow-list entry), naming the issuer shown in this report.",
            "Until then, trust the inspection root explicitly: SSL_CERT_FILE=/path/to/corporate-root.pem, or use truststore so Python uses the OS store.",
            "Re-run wsdoctor check to confirm the chain now comes from a public CA.",
        ],
        "section": "Proxy or Firewall Restrictions",
        "links": ["troubleshooting"],
        "explains": ["rest.unreachable"],
    },
    "tls.expired": {
        "title": "The server certificate has expired",
        "meaning": "The certificate presented is past its expiry date. With Deepgram this almost always means a proxy or middlebox is presenting its own stale certificate, or this machine's clock is wrong.",
        "steps": [
            "Check the system clock.",
            "Compare the issuer in this report with a public CA; if it is your proxy's, report it to the network team.",
        ],
        "section": "Proxy or Firewall Restrictions",
        "links": ["troubleshooting"],
        "explains": ["rest.unreachable"],
    },
    "tls.hostname_mismatch": {
        "title": "The certificate is for another host",
        "meaning": "The certificate does not cover the host name in the URL. Either the URL points at the wrong host, or something in between answers with its own certificate.",
        "steps": [
            "Check the host name in the URL.",
            "Compare the certificate's names in this report with the host; a proxy's name points to interception.",
        ],
        "section": "Proxy or Firewall Restrictions",
        "links": ["troubleshooting"],
        "explains": ["rest.unreachable"],
    },
    "tls.old_protocol": {
        "title": "TLS older than 1.2 was negotiated",
        "meaning": "The connection used a TLS version older than 1.2. Deepgram does not offer those, so a middlebox terminated TLS, or the client's TLS library is very old.",
        "steps": [
            "Upgrade Python and OpenSSL on this machine.",
            "If a proxy terminates TLS, ask for it to be upgraded or bypassed for the Deepgram host.",
        ],
        "section": "SDK and Libraries",
        "links": ["troubleshooting"],
        "explains": ["rest.unreachable"],
    },
    "handshake.unauthorized": {
        "title": "The API key is rejected",
        "meaning": "The server answered the WebSocket upgrade with 401/403: the key is missing, wrong, revoked, or lacks permission for this project.",
        "steps": [
            "Send the key as the header Authorization: Token <key> (or Bearer <token> for temporary tokens; browsers use the token subprotocol).",
            "Check the key in the Deepgram console and that DEEPGRAM_API_KEY holds the one you expect.",
            "Quote the dg-request-id from this report if you contact support.",
        ],
        "section": "Improper Connection Handling",
        "links": ["troubleshooting"],
        "explains": ["rest.unauthorized"],
    },
    "handshake.bad_request": {
        "title": "The server rejects the stream parameters",
        "meaning": "The upgrade was answered 400. The query parameters are invalid: for example a model and language that do not go together, or raw audio without encoding and sample_rate.",
        "steps": [
            "Read the dg-error text in this report; it names the parameter.",
            "For raw audio, send encoding and sample_rate (and channels) matching what you stream.",
        ],
        "section": "Improper Connection Handling",
        "links": ["troubleshooting"],
    },
    "handshake.upgrade_rejected": {
        "title": "The WebSocket upgrade never happens",
        "meaning": "Something answered the upgrade request with an ordinary HTTP response (200, 400, 426, ...) instead of 101 Switching Protocols. A proxy, load balancer or captive portal in between does not speak WebSocket or does not forward the Upgrade header.",
        "steps": [
            "Look at the status and body start in this report: an HTML page points to a captive portal or proxy error page.",
            "Ask the network team to allow WebSocket upgrades (Upgrade/Connection headers) to the Deepgram host, or to tunnel it with CONNECT.",
            "If it cannot be fixed soon, the REST API accepts recorded audio over plain HTTPS.",
        ],
        "section": "Proxy or Firewall Restrictions",
        "links": ["troubleshooting", "prerecorded"],
    },
    "handshake.wrong_path": {
        "title": "Deepgram serves no live stream at this path",
        "meaning": "The answer came from Deepgram itself (it carried a dg-request-id), so the network path works, but the URL's path is not one of Deepgram's live endpoints: a typo, a REST path used for streaming, or the wrong API version.",
        "steps": [
            "Use /v1/listen for Nova and earlier models, or /v2/listen with model=flux-general-en (or flux-general-multi) for Flux.",
            "If you build the URL from a base URL, check that the path is not doubled or dropped (for example /v1/v1/listen).",
            "Run wsdoctor check --url with the exact URL your app uses, or --flux for Flux.",
        ],
        "section": "Improper Connection Handling",
        "links": ["troubleshooting"],
    },
    "handshake.gateway_error": {
        "title": "A gateway in front of the server cannot reach it",
        "meaning": "A reverse proxy, load balancer or API gateway answered the upgrade with 502, 503 or 504 and without Deepgram's headers: the gateway itself is up, but its own connection to the server behind it failed. This is not a WebSocket problem and not your key.",
        "steps": [
            "Give the gateway's team the status, the Server header and any error header in this report: its upstream to Deepgram (or to your self-hosted server) is down or unreachable from it.",
            "If you run the gateway, check its upstream address, DNS and egress rules, and its error log.",
            "Meanwhile, connect directly (or through another route) if your network allows it.",
        ],
        "section": "Proxy or Firewall Restrictions",
        "links": ["troubleshooting"],
        "explains": ["rest.unreachable"],  # the same gateway answers REST with its error too
    },
    "handshake.intermediary_refused": {
        "title": "Something in between refuses the connection",
        "meaning": "The upgrade was answered with 401, 403 or 407 by something that is not Deepgram (no dg-request-id): a gateway, web filter or firewall that does not let this client through. Your Deepgram key was never checked.",
        "steps": [
            "Look at the Server header and body start in this report to see which product answered.",
            "Ask its administrators to allow WebSocket connections to the Deepgram host for this client.",
        ],
        "section": "Proxy or Firewall Restrictions",
        "links": ["troubleshooting"],
        "explains": ["rest.unreachable", "rest.unauthorized"],  # REST is refused by it too
    },
    "handshake.rate_limited": {
        "title": "Too many concurrent streams",
        "meaning": "The server answered 429: your project has reached its limit of concurrent streams.",
        "steps": [
            "Close streams you are done with (send CloseStream) so they do not linger until NET-0001.",
            "Queue new streams, retry with backoff, or ask Deepgram for a higher limit.",
        ],
        "section": "Improper Connection Handling",
        "links": ["rate_limits"],
    },
    "idle_timeout.unexpected_close": {
        "title": "The idle stream was closed with an unexpected code or reason",
        "meaning": "While wsdoctor held an idle stream open, a close frame arrived that is not Deepgram's documented idle close (1011 NET-0001). The code and reason in the report say who ended it and why: another Deepgram reason (such as NET-0000), or a WebSocket-aware proxy or gateway closing streams on its own terms.",
        "steps": [
            "Read the close code and reason in this report; search them in Deepgram's error documentation.",
            "If the reason is not Deepgram's (no NET- or DATA- prefix), ask the team that runs the proxy or gateway in between about its WebSocket idle or lifetime limits.",
            "Send KeepAlive every 3-5 s while idle so no idle limit is reached, and contact Deepgram support with the dg-request-id if the reason is Deepgram's.",
        ],
        "section": "Network Instability",
        "links": ["troubleshooting", "keepalive"],
    },
    "handshake.slow": {
        "title": "Opening a stream is slow",
        "meaning": "Reaching 101 Switching Protocols (DNS, TCP, any proxy CONNECT, TLS and the upgrade) took longer than the threshold shown in the report. Each new stream and every reconnect pays this delay before the first audio is sent, and clients with short open timeouts give up.",
        "steps": [
            "Read the waterfall in this report to see which phase takes the time: DNS, the proxy, TLS or the upgrade itself.",
            "A slow proxy or TLS-inspecting device is the usual cause; ask for the Deepgram host to be exempted or routed directly.",
            "Keep one stream open with KeepAlive instead of opening a new one per utterance, and give your client's open timeout room (10 s).",
        ],
        "section": "Network Instability",
        "links": ["troubleshooting", "keepalive"],
    },
    "handshake.timeout": {
        "title": "The upgrade gets no answer",
        "meaning": "The connection opened but no answer to the upgrade request arrived in time. A proxy is holding the request, or the path is dropping packets.",
        "steps": [
            "Check the proxy checks in this report; a proxy that buffers requests can hang upgrades.",
            "Retry from another network to tell local from remote trouble.",
        ],
        "section": "Network Instability",
        "links": ["troubleshooting"],
    },
    "handshake.server_error": {
        "title": "The server reports an error",
        "meaning": "The upgrade was answered with a 5xx status: an error on the server side or at a gateway in between.",
        "steps": [
            "Retry with backoff; transient errors clear on their own.",
            "If it persists, contact Deepgram support with the dg-request-id from this report.",
        ],
        "section": "Conclusion",
        "links": ["community"],
    },
    "rest.unreachable": {
        "title": "The REST API is not reachable either",
        "meaning": "The REST fallback for recorded audio could not be reached over HTTPS from here, so switching to it will not help until the network path is fixed.",
        "steps": [
            "Fix the network or proxy problem reported by the earlier checks first.",
            "Then re-run wsdoctor check to see whether the REST fallback is available.",
        ],
        "section": "Alternative Solution: REST API",
        "links": ["prerecorded"],
    },
    "rest.unauthorized": {
        "title": "The REST API rejects the key",
        "meaning": "The REST API answered 401 INVALID_AUTH: the key is missing or invalid, so the REST fallback is not available with it.",
        "steps": [
            "Check the key in the Deepgram console and the value of DEEPGRAM_API_KEY.",
            "Use Authorization: Token <key> on REST requests.",
        ],
        "section": "Alternative Solution: REST API",
        "links": ["prerecorded"],
    },
    "idle_timeout.intermediary_drop": {
        "title": "Something between you and Deepgram drops idle streams",
        "meaning": "An idle stream ended without Deepgram's close frame, sooner than Deepgram's own idle window. A proxy, load balancer or NAT with a short idle timeout is cutting the connection; your client sees 'no close frame received or sent' (1006).",
        "steps": [
            "Give the measured idle seconds to the network team and ask for a longer idle timeout for WebSocket traffic to the Deepgram host.",
            'Meanwhile, keep the connection busy: send {"type": "KeepAlive"} as a text frame every 3-5 seconds while you have no audio.',
            "Add reconnection logic so a dropped stream is reopened instead of failing the session.",
        ],
        "section": "Proxy or Firewall Restrictions",
        "links": ["keepalive", "troubleshooting"],
    },
    "idle_timeout.silent_drop": {
        "title": "Something on the path silently drops idle connections",
        "meaning": "The idle stream never received a close frame, yet when wsdoctor pinged it no pong came back: the connection was dead while both ends still thought it open. A NAT, firewall or load balancer with a short idle timeout forgot the connection and now discards its packets without telling either side, so Deepgram's own NET-0001 close was lost too. The report gives bounds from pings sent after different silences: the connection still answered after one and was dead after another, counted from the last thing the server sent. Applications see this as a stream that stops producing results and, much later, a keepalive ping timeout or 1006.",
        "steps": [
            "Give the bounds in this report to the network team: the hop's idle (or conntrack) timeout for TCP to the Deepgram host lies between them; ask for it to be raised well above 10 s.",
            'Keep the connection busy more often than the lower bound: send {"type": "KeepAlive"} while you have no audio, and enable WebSocket pings (python-websockets: ping_interval) so a dead connection is noticed within seconds.',
            "Add reconnection logic that treats a missing pong as a dropped stream.",
        ],
        "section": "Network Instability",
        "links": ["keepalive", "troubleshooting"],
    },
    "idle_timeout.below_keepalive_interval": {
        "title": "An idle timeout on the path is shorter than the KeepAlive interval",
        "meaning": "An intermediary (proxy, load balancer or NAT) cut the idle stream without a close frame after no longer than the interval between KeepAlive messages. So KeepAlive at the usual 3-5 s pace cannot help: the connection is cut in the silence between two KeepAlive messages, and streams that pause for longer than the measured seconds are lost. The KeepAlive check fails for the same reason; it is not a separate lifetime limit.",
        "steps": [
            "Ask the team that runs the intermediary to raise its idle timeout for WebSocket traffic to the Deepgram host, to well above 10 s (Deepgram's own idle window), so the recommended 3-5 s KeepAlive pace works.",
            'Until then, send {"type": "KeepAlive"} more often than the measured idle timeout, for example at half of it, and send it before the first pause, not after.',
            "Add reconnection logic so a stream cut anyway is reopened.",
        ],
        "section": "Proxy or Firewall Restrictions",
        "links": ["keepalive", "troubleshooting"],
        # The KeepAlive stream is cut between two KeepAlive messages: the same short timer.
        "explains": ["keepalive.intermediary_drop"],
    },
    "idle_timeout.no_close_seen": {
        "title": "No idle timeout was seen",
        "meaning": "The idle stream was still open when wsdoctor stopped watching, and it still answered a ping, so the path works. Deepgram closes idle streams after about 10 s with NET-0001, so either the watch window (--idle-max) was shorter than that, or the server in use does not close idle streams (some self-hosted setups).",
        "steps": [
            "Run again with --idle-max above 12 s to see Deepgram's documented NET-0001 close.",
            "If the close still never arrives, the server is not closing idle streams; send KeepAlive every 3-5 s while idle and CloseStream when done anyway.",
        ],
        "section": "Network Instability",
        "links": ["keepalive", "troubleshooting"],
    },
    "idle_timeout.server_timeout": {
        "title": "The stream timed out for lack of audio (NET-0001)",
        "meaning": "Deepgram closed the stream with 1011 NET-0001 because it received no audio or KeepAlive for about 10 seconds. This is documented server behaviour, not a network fault.",
        "steps": [
            'While you have no audio to send, send {"type": "KeepAlive"} as a text frame every 3-5 seconds.',
            'When you are done, send {"type": "CloseStream"} and wait for the close frame instead of just leaving the socket open.',
            "Remember that KeepAlive does not hold a stream that has never received audio.",
            "On Flux (/v2/listen) there is no KeepAlive message: send WebSocket pings (or audio) while idle; a JSON KeepAlive there ends the stream.",
        ],
        "section": "Improper Connection Handling",
        "links": ["keepalive", "closestream", "troubleshooting"],
    },
    "keepalive.not_honoured": {
        "title": "KeepAlive does not hold the stream open",
        "meaning": "The stream closed with NET-0001 although KeepAlive messages were being sent. They are probably not arriving as text frames, or the server did not count them.",
        "steps": [
            'Send KeepAlive as a text frame ({"type": "KeepAlive"}), never as binary.',
            "Send at least one chunk of audio first; KeepAlive does not hold a stream that never received audio.",
            "If this is a self-hosted server, check that its version supports KeepAlive.",
            "On Flux (/v2/listen), where pings hold the stream, make sure your client's pings reach the server and its pongs come back.",
        ],
        "section": "Improper Connection Handling",
        "links": ["keepalive"],
    },
    "keepalive.server_closed": {
        "title": "The server ended the KeepAlive stream with an error",
        "meaning": "While wsdoctor sent KeepAlive messages, the server closed the stream with an error code. The close_frame check shows the same code with the stream's audio, and its advice applies.",
        "steps": [
            "Read the close code and reason in this report; NET-0000 and DATA-0000 are explained by close_frame.",
            "If problems persist, contact Deepgram support with the dg-request-id.",
        ],
        "section": "Improper Connection Handling",
        "links": ["troubleshooting"],
    },
    "keepalive.intermediary_drop": {
        "title": "The stream is dropped despite KeepAlive",
        "meaning": "The stream ended without a close frame while KeepAlive messages were flowing. Either a hop's idle timeout is shorter than the gap between KeepAlive messages (compare with the idle_timeout check's measurement and the time since the last KeepAlive in this report), or a hop cuts connections after a maximum lifetime regardless of traffic, or the network is dropping it.",
        "steps": [
            "If the stream was cut sooner after the last KeepAlive than the interval between them, send KeepAlive more often than that, or have the hop's idle timeout raised.",
            "Otherwise ask the network team about maximum connection lifetimes on proxies and load balancers for the Deepgram host.",
            "Add reconnection logic so a dropped stream is reopened.",
        ],
        "section": "Network Instability",
        "links": ["troubleshooting"],
    },
    "close_frame.no_close_frame": {
        "title": "The stream ends without a close frame",
        "meaning": "After CloseStream the TCP connection ended with no WebSocket close frame in either direction: python-websockets reports 'no close frame received or sent' (1006). Something cut the connection instead of letting it close.",
        "steps": [
            'End every stream with {"type": "CloseStream"}, then keep reading until the server\'s close frame arrives; only then close your socket.',
            "Do not exit the process or cancel the receive task right after sending the last audio.",
            "If your code already does this, look at the network and proxy checks in this report: a hop in between is cutting the connection.",
        ],
        "section": "Improper Connection Handling",
        "links": ["closestream", "troubleshooting"],
    },
    "close_frame.no_close_reply": {
        "title": "Your close frame is never answered",
        "meaning": "The client sent a close frame but nothing echoed it, so the client reports 'sent 1000 (OK); no close frame received'. The server, or a hop in between, stopped processing the connection.",
        "steps": [
            "Send CloseStream before closing, so the server closes first with a proper frame.",
            "Give close() a timeout (close_timeout) so your application does not wait forever.",
            "If a proxy sits in between, check that it forwards WebSocket frames in both directions.",
        ],
        "section": "Improper Connection Handling",
        "links": ["closestream"],
        # A peer that never answers a close frame ignores CloseStream too: one fault.
        "explains": ["close_frame.timeout"],
    },
    "close_frame.timeout": {
        "title": "CloseStream is not completed in time",
        "meaning": "After CloseStream the server did not deliver the final results, Metadata and close frame within the deadline.",
        "steps": [
            "Keep reading after sending CloseStream; the final results can take a moment.",
            "If it never completes, contact support with the dg-request-id from this report.",
        ],
        "section": "Improper Connection Handling",
        "links": ["closestream"],
    },
    "close_frame.unexpected_code": {
        "title": "The stream closes with an error code",
        "meaning": "The stream ended with a close code other than 1000. 1008 DATA-0000 means the audio could not be decoded: the encoding or sample_rate in the URL does not match the audio. 1011 NET-0000 means the server produced no response in time.",
        "steps": [
            "For 1008 DATA-0000: make encoding, sample_rate and channels in the URL match the audio bytes you send, or send a container format (WAV, Ogg) without them.",
            "For 1011 codes: read the reason text in this report and follow the linked troubleshooting guide.",
        ],
        "section": "Improper Connection Handling",
        "links": ["troubleshooting"],
    },
    "close_frame.no_metadata": {
        "title": "The stream closed without Deepgram's final Metadata",
        "meaning": "A 1000 close arrived after CloseStream, but without the Metadata message that Deepgram always sends first. Something in between (often an intercepting proxy that lost its upstream) may be closing on the server's behalf, so your final results may be lost.",
        "steps": [
            "Check the TLS and proxy checks in this report for interception.",
            "Ask the network team to let WebSocket traffic to the Deepgram host through without termination.",
        ],
        "section": "Proxy or Firewall Restrictions",
        "links": ["closestream", "troubleshooting"],
    },
    "stability.dropped": {
        "title": "The stream dropped while audio was flowing",
        "meaning": "A stream carrying real-time audio ended unexpectedly. The network path is unstable, or a hop cuts long-lived connections.",
        "steps": [
            "Add reconnection logic: reopen the stream and resume sending audio when it drops.",
            "Check Wi-Fi, VPN and mobile links; test from a wired connection to compare.",
            "Give the drop time in this report to the network team.",
        ],
        "section": "Network Instability",
        "links": ["troubleshooting"],
        "explains": [
            "transcript.none",
            "transcript.control_unanswered",
            "idle_timeout.intermediary_drop",
            "idle_timeout.below_keepalive_interval",
            "keepalive.intermediary_drop",
            "close_frame.no_close_frame",
        ],
    },
    "stability.server_closed": {
        "title": "The server ended the audio stream with an error",
        "meaning": "While wsdoctor streamed real-time audio, the server closed the stream with an error code rather than the path dropping it. The close_frame check shows the same code, and its advice applies.",
        "steps": [
            "Read the close code and reason in this report; NET-0000 and DATA-0000 are explained by close_frame.",
            "If problems persist, contact Deepgram support with the dg-request-id.",
        ],
        "section": "Improper Connection Handling",
        "links": ["troubleshooting"],
    },
    "stability.high_latency": {
        "title": "Round trips are slow",
        "meaning": "WebSocket ping round trips to the server are slow, so results will lag and keepalive pings may time out.",
        "steps": [
            "Use the nearest regional endpoint (--region eu / au / in).",
            "Check for bandwidth-heavy traffic or a distant VPN exit.",
        ],
        "section": "Network Instability",
        "links": ["troubleshooting"],
    },
    "stability.jitter": {
        "title": "Round-trip times vary widely",
        "meaning": "Ping round trips vary a lot from one to the next, a sign of congestion or a lossy link. Streams on such links stutter and are more likely to drop.",
        "steps": [
            "Prefer a wired or more stable connection for live audio.",
            "Buffer audio on the client and add reconnection logic.",
        ],
        "section": "Network Instability",
        "links": ["troubleshooting"],
    },
    "stability.uplink_too_slow": {
        "title": "The uplink is slower than the audio",
        "meaning": "While wsdoctor streamed speech in real time, the bytes it wrote queued up on the client faster than the path carried them away: the uplink's measured rate is below what the audio needs on the wire. Nothing breaks at first; the audio reaching Deepgram falls further behind real time every second, pings and control messages wait behind it, and the server or a hop eventually gives up. Speech hardly compresses, so permessage-deflate cannot make up the difference.",
        "steps": [
            "Compare the measured rate in this report with the audio bitrate (linear16 at 16 kHz mono is 256 kbit/s) and with the link's upload speed.",
            "Send a compressed encoding (Opus in Ogg or WebM, or FLAC) instead of raw PCM, or a lower sample rate such as 8 kHz for telephony audio.",
            "Stop competing uploads (backups, video calls) or move to a link with more upload bandwidth; on Wi-Fi or mobile, test from a wired connection.",
        ],
        "section": "Network Instability",
        "links": ["troubleshooting"],
        "explains": [
            "stability.pong_loss",
            "close_frame.timeout",
            "close_frame.no_close_frame",
            "keepalive.intermediary_drop",
            "idle_timeout.intermediary_drop",
            "transcript.none",
            "transcript.control_unanswered",
        ],
    },
    "stability.transcripts_stalled": {
        "title": "The stream stays open but stops transcribing",
        "meaning": "Audio kept flowing and pings kept getting pongs, but transcripts stopped arriving. No close frame and no error are ever sent, so a client without a watchdog waits forever: users see a transcript that just stops. It is a stall on the service side or in something in between that still forwards control frames.",
        "steps": [
            "Give your client a watchdog: if audio has been flowing for several seconds and no transcript (Results, or Flux TurnInfo) has arrived, close the stream and reconnect.",
            "Note the dg-request-id of the stalled stream and send it to Deepgram support with the time it stopped.",
            "Run wsdoctor watch for longer to see how often it happens and whether other streams stall at the same moments.",
        ],
        "section": "Improper Connection Handling",
        "links": ["troubleshooting"],
        "explains": ["transcript.none", "transcript.control_unanswered"],
    },
    "transcript.none": {
        "title": "Speech brings back no transcript",
        "meaning": "The stream opened and took seconds of clear speech, and even asking for the end of speech brought no transcript. The audio is not what the URL declares (encoding, sample rate, channels), the model is not transcribing, or something in between passes binary frames but not the server's text frames.",
        "steps": [
            "Check that encoding, sample_rate and channels in the URL describe the bytes you send (or leave both out for WAV, Ogg and WebM containers).",
            "Run wsdoctor check against the same URL from another network to rule out an intermediary that filters text frames.",
            "Send the dg-request-id to Deepgram support if the audio and parameters are right.",
        ],
        "section": "Improper Connection Handling",
        "links": ["troubleshooting"],
    },
    "transcript.control_unanswered": {
        "title": "A documented control message got no answer",
        "meaning": "On Flux, ForceEndTurn must be answered by EndOfTurn (or a Warning when no turn is active) and Configure by ConfigureSuccess or ConfigureFailure. No answer came in time: the text frame did not reach the server, or its answer did not come back. An app that waits for it hangs.",
        "steps": [
            "Send control messages as JSON text frames, never as binary frames.",
            "Give every wait for an answer a deadline in your app, and treat a missing answer like a dropped stream: close and reconnect.",
            "Send the dg-request-id to Deepgram support if the path passes text frames both ways.",
        ],
        "section": "Improper Connection Handling",
        "links": ["troubleshooting"],
    },
    "transcript.control_refused": {
        "title": "Flux refused a valid Configure",
        "meaning": "Configure with Flux's default end-of-turn threshold, a change that changes nothing, was answered with ConfigureFailure. Mid-stream configuration does not work on this stream, so an app relying on it keeps its old settings.",
        "steps": [
            "Read the ConfigureFailure's code and description in your app's logs.",
            "Set the thresholds in the URL when you connect instead, until support confirms Configure works for your project.",
        ],
        "section": "SDK and Libraries",
        "links": ["troubleshooting"],
    },
    "transcript.finalize_unanswered": {
        "title": "Finalize brought no final Results in time",
        "meaning": "Deepgram answers Finalize with Results marked from_finalize, but documents that the answer is not guaranteed, for example with little audio buffered. That is normal; an app that waits for it without a deadline hangs.",
        "steps": [
            "Wait for the from_finalize Results with a timeout (a second or two), then carry on.",
            "To end a stream, send CloseStream and read until the close frame: the final Results and Metadata come before it.",
        ],
        "section": "Improper Connection Handling",
        "links": ["troubleshooting"],
    },
    "transcript.stream_ended": {
        "title": "The stream ended before its transcripts could be judged",
        "meaning": "The stream closed or dropped while the speech was still going out, so whether transcripts come back could not be measured. The checks that watch how streams end (close_frame, stability) say why it ended.",
        "steps": [
            "Read close_frame's and stability's findings in this report: they name the ending.",
            "Run wsdoctor check again once they pass.",
        ],
        "section": "Network Instability",
        "links": ["troubleshooting"],
    },
    "stability.pong_loss": {
        "title": "Pings go unanswered",
        "meaning": "Some WebSocket pings got no pong within the deadline. With library keepalive pings on, this ends in 'keepalive ping timeout; no close frame received'.",
        "steps": [
            "Check for a path that silently drops packets (a VPN, a NAT with short timeouts, a lossy link).",
            "Make sure your own event loop is not blocked by long-running code, which delays pongs the same way.",
            "Add reconnection logic.",
        ],
        "section": "Network Instability",
        "links": ["troubleshooting"],
        "explains": [
            "keepalive.not_honoured",
            "transcript.none",
            "transcript.control_unanswered",
            "idle_timeout.intermediary_drop",
            "idle_timeout.silent_drop",
            "keepalive.intermediary_drop",
            "close_frame.no_close_frame",
            "close_frame.timeout",
        ],
    },
}
