"""Outbound HTTP for webhooks: the URL policy and one delivery attempt (issue 5 point 3).

SSRF (OWASP API7): a subscription URL is the customer's, so the platform must not
become a way to reach its own network. Unless ``WEBHOOKS_ALLOW_PRIVATE_ADDRESSES``
is on (development and tests):

- every address the host resolves to must be public: private, loopback,
  link-local (cloud metadata), CGNAT, multicast, reserved and unspecified
  addresses are refused, including IPv4 written inside IPv6 and NAT64
  (``64:ff9b::/96``, issue 13: a NAT64 gateway would reach any IPv4 behind it);
- the check runs when a subscription is saved *and* before every attempt, and the
  request then goes to the address that was checked (the connection is pinned to
  it; ``Host`` and TLS SNI keep the name), so DNS rebinding cannot swap it;
- redirects are never followed (a 3xx is a failed attempt).

Plain ``http://`` URLs are refused unless ``WEBHOOKS_ALLOW_INSECURE_URLS`` is on.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
from django.utils.translation import gettext as _

from .choices import AttemptOutcome
from .conf import WebhookSettings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
#: NAT64 prefixes (RFC 6052 well-known, RFC 8215 local use): never a webhook target
NAT64_NETWORKS = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))


@dataclass(frozen=True)
class SendResult:
    outcome: str
    status_code: int | None = None
    duration_ms: int = 0
    error: str = ""
    response_body: str = ""

    @property
    def succeeded(self) -> bool:
        return self.outcome == AttemptOutcome.SUCCESS


# =============================================================================
# Address policy
# =============================================================================


def is_public_address(address: IPAddress) -> bool:
    """Globally routable unicast only (IPv4 inside IPv6 is judged as the IPv4 it carries)."""
    if isinstance(address, ipaddress.IPv6Address):
        if any(address in network for network in NAT64_NETWORKS):
            return False
        embedded = address.ipv4_mapped or address.sixtofour or (address.teredo[1] if address.teredo else None)
        if embedded is not None and not is_public_address(embedded):
            return False
    return address.is_global and not address.is_multicast


def literal_address(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to (an IP literal resolves to itself). Raises ``OSError``."""
    literal = literal_address(host)
    if literal is not None:
        return [literal]
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _canonname, sockaddr in infos:
        address = ipaddress.ip_address(sockaddr[0].split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise OSError(f"{host} has no address")
    return addresses


def refused_addresses(addresses: list[IPAddress]) -> list[IPAddress]:
    return [a for a in addresses if not is_public_address(a)]


def url_problems(url: str, conf: WebhookSettings) -> list[str]:
    """Why ``url`` cannot be a subscription URL (empty when it can).

    A host name that does not resolve yet is accepted: it is resolved and checked
    again before every attempt.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return [_("Enter a valid URL.")]
    problems = []
    if parts.scheme == "http" and not conf.allow_insecure_urls:
        problems.append(_("Use an https:// URL: plain HTTP is not allowed for webhooks."))
    elif parts.scheme not in ("http", "https"):
        problems.append(_("Use an https:// URL."))
    host = parts.hostname or ""
    if not host:
        problems.append(_("The URL has no host."))
    if parts.username is not None or parts.password is not None:
        problems.append(_("Do not put credentials in the URL; verify our signature instead."))
    if problems or conf.allow_private_addresses:
        return problems
    if host == "localhost" or host.endswith(".localhost"):
        return [_("Webhooks cannot be sent to this machine (localhost).")]
    try:
        addresses = resolve(host, port or (443 if parts.scheme == "https" else 80))
    except OSError:
        return []
    refused = refused_addresses(addresses)
    if refused:
        return [
            _(
                "%(host)s resolves to a private, loopback or link-local address (%(address)s); webhooks need a "
                "public address."
            )
            % {"host": host, "address": refused[0]}
        ]
    return []


# =============================================================================
# Sending
# =============================================================================

_CLIENTS: OrderedDict[tuple, httpx.Client] = OrderedDict()
_CLIENTS_LOCK = threading.Lock()
_MAX_CLIENTS = 256


def _client_for(scheme: str, host: str, port: int, timeout: float) -> httpx.Client:
    """A keep-alive client per destination *name*: a TLS connection made for one host name
    is never reused for another name that happens to share its address."""
    key = (scheme, host, port, timeout)
    with _CLIENTS_LOCK:
        client = _CLIENTS.get(key)
        if client is not None:
            _CLIENTS.move_to_end(key)
            return client
        client = httpx.Client(
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            trust_env=False,  # no proxies or .netrc from the environment
            limits=httpx.Limits(max_connections=50, max_keepalive_connections=10),
        )
        _CLIENTS[key] = client
        while len(_CLIENTS) > _MAX_CLIENTS:
            _key, old = _CLIENTS.popitem(last=False)
            old.close()
        return client


def send(url: str, body: bytes, headers: dict[str, str], conf: WebhookSettings) -> SendResult:
    """POST ``body`` to ``url`` once, under the address policy; never raises for network trouble."""
    started = time.monotonic()

    def elapsed_ms() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        target = httpx.URL(url)
    except httpx.InvalidURL as error:
        return SendResult(AttemptOutcome.REFUSED, error=f"Invalid URL: {error}"[:500])
    scheme, host = target.scheme, target.host
    if scheme not in ("http", "https") or (scheme == "http" and not conf.allow_insecure_urls):
        return SendResult(AttemptOutcome.REFUSED, error=_("Plain HTTP is not allowed for webhooks; use https://."))
    port = target.port or (443 if scheme == "https" else 80)
    try:
        addresses = resolve(host, port)
    except OSError as error:
        return SendResult(
            AttemptOutcome.NETWORK_ERROR, duration_ms=elapsed_ms(), error=f"Could not resolve {host}: {error}"[:500]
        )
    if not conf.allow_private_addresses:
        refused = refused_addresses(addresses)
        if refused:
            return SendResult(
                AttemptOutcome.REFUSED,
                duration_ms=elapsed_ms(),
                error=_("%(host)s resolves to a non-public address (%(address)s); not sent.")
                % {"host": host, "address": refused[0]},
            )
    address = addresses[0]
    pinned = target.copy_with(host=str(address))
    host_header = f"[{host}]" if ":" in host else host
    request_headers = {**headers, "Host": host_header if target.port is None else f"{host_header}:{target.port}"}
    extensions = {"sni_hostname": host} if scheme == "https" and literal_address(host) is None else {}
    client = _client_for(scheme, host, port, conf.timeout)
    try:
        with client.stream("POST", pinned, content=body, headers=request_headers, extensions=extensions) as response:
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                chunks.append(chunk)
                size += len(chunk)
                if size >= conf.response_body_limit or time.monotonic() - started > conf.timeout:
                    break
            text = b"".join(chunks)[: conf.response_body_limit].decode("utf-8", errors="replace")
            status = response.status_code
            location = response.headers.get("Location", "")
    except httpx.TimeoutException:
        return SendResult(
            AttemptOutcome.TIMEOUT,
            duration_ms=elapsed_ms(),
            error=_("No answer within %(seconds)s seconds.") % {"seconds": f"{conf.timeout:g}"},
        )
    except httpx.HTTPError as error:
        return SendResult(
            AttemptOutcome.NETWORK_ERROR, duration_ms=elapsed_ms(), error=(str(error) or type(error).__name__)[:500]
        )
    if 200 <= status < 300:
        return SendResult(AttemptOutcome.SUCCESS, status, elapsed_ms(), "", text)
    if 300 <= status < 400:
        error = _("Redirects are not followed (%(status)s to %(location)s).") % {
            "status": status,
            "location": location or "?",
        }
    else:
        error = _("The receiver answered %(status)s.") % {"status": status}
    return SendResult(AttemptOutcome.HTTP_ERROR, status, elapsed_ms(), error[:500], text)
