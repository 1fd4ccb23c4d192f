import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { promises as dns } from "node:dns";
import { BlockList, isIP, type LookupFunction } from "node:net";
import type { Config } from "../config.js";

// Which webhook URLs scimbridge will call (SSRF). Only http(s). In production, unless
// WEBHOOK_ALLOW_PRIVATE_TARGETS=true, no target may resolve to a loopback, private, link-local, unique-local,
// CGNAT, multicast or otherwise non-public address, nor an IPv6 address that embeds an IPv4 one (NAT64, 6to4,
// Teredo, IPv4-translated). The check runs when a URL is configured (fast feedback)
// and again at every connection (DNS can change after configuration: rebinding), against every address the
// name resolves to, and the socket connects to an address that was checked.

export class WebhookTargetRejected extends Error {
  override name = "WebhookTargetRejected";
}

// Separate lists: a BlockList also matches IPv4 addresses against IPv6 rules (as ::ffff:a.b.c.d).
const refusedV4 = new BlockList();
const refusedV6 = new BlockList();
for (const [net, bits] of [
  ["0.0.0.0", 8], // "this network"
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8],
  ["169.254.0.0", 16], // link-local, cloud metadata (169.254.169.254)
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, broadcast
] as const) {
  refusedV4.addSubnet(net, bits, "ipv4");
}
// Every IPv6 form that embeds an IPv4 address is refused outright, whatever the embedded address (a public
// webhook receiver has a public address of its own), except IPv4-mapped, unwrapped below and checked as IPv4.
for (const [net, bits] of [
  ["::", 96], // unspecified, loopback ::1, IPv4-compatible (embeds IPv4)
  ["::ffff:0:0", 96], // IPv4-mapped in any spelling not unwrapped below
  ["::ffff:0:0:0", 96], // IPv4-translated, SIIT (embeds IPv4)
  ["64:ff9b::", 96], // NAT64 well-known prefix (embeds IPv4)
  ["64:ff9b:1::", 48], // NAT64 local-use prefixes (embed IPv4)
  ["100::", 64], // discard
  ["2001::", 23], // IETF protocol assignments: Teredo 2001::/32 (embeds IPv4), benchmarking, ORCHID
  ["2001:db8::", 32], // documentation
  ["2002::", 16], // 6to4 (embeds IPv4)
  ["3fff::", 20], // documentation
  ["fc00::", 7], // unique-local
  ["fe80::", 10], // link-local
  ["fec0::", 10], // site-local (deprecated)
  ["ff00::", 8], // multicast
] as const) {
  refusedV6.addSubnet(net, bits, "ipv6");
}

/** Why an address may not be called, or undefined when it is a public address. */
export function refusedAddressReason(address: string): string | undefined {
  const family = isIP(address);
  if (family === 0) return `${address} is not an IP address`;
  const mapped = family === 6 ? unwrapIpv4Mapped(address) : undefined;
  if (mapped) return refusedAddressReason(mapped);
  if (family === 4 ? refusedV4.check(address, "ipv4") : refusedV6.check(address, "ipv6")) {
    return `${address} is a loopback, private, link-local or reserved address`;
  }
  return undefined;
}

/** ::ffff:127.0.0.1 and ::ffff:7f00:1 both mean 127.0.0.1. */
function unwrapIpv4Mapped(address: string): string | undefined {
  const dotted = /^(?:0{0,4}:){0,5}:?ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (dotted) return dotted[1];
  const hex = /^(?:0{0,4}:){0,5}:?ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!hex) return undefined;
  const hi = Number.parseInt(hex[1]!, 16);
  const lo = Number.parseInt(hex[2]!, 16);
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join(".");
}

/** Whether private targets are refused under this config. */
function privateTargetsRefused(config: Config): boolean {
  return config.production && !config.webhooks.allowPrivateTargets;
}

function parseTarget(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new WebhookTargetRejected("webhook url is not a valid URL");
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new WebhookTargetRejected("webhook url must use http or https");
  }
  return parsed;
}

/** The URL's host without IPv6 brackets. */
export function targetHost(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, "$1");
}

function assertAllowed(host: string, addresses: string[]): void {
  for (const address of addresses) {
    const reason = refusedAddressReason(address);
    if (reason) {
      throw new WebhookTargetRejected(`webhook target ${host} refused: ${reason} (set WEBHOOK_ALLOW_PRIVATE_TARGETS=true to allow)`);
    }
  }
}

/**
 * Checks a webhook URL when it is configured; throws WebhookTargetRejected with a precise reason.
 * A name that does not resolve yet is accepted here: it is checked again at every delivery.
 */
export async function checkWebhookTarget(url: string, config: Config): Promise<void> {
  const parsed = parseTarget(url);
  if (!privateTargetsRefused(config)) return;
  const host = targetHost(parsed);
  if (isIP(host)) return assertAllowed(host, [host]);
  if (host === "localhost" || host.endsWith(".localhost")) assertAllowed(host, ["127.0.0.1"]);
  let addresses: string[];
  try {
    addresses = (await dns.lookup(host, { all: true, verbatim: true })).map((a) => a.address);
  } catch {
    return;
  }
  assertAllowed(host, addresses);
}

/**
 * The send-time check: validates the URL and, for an IP literal, the address (Node connects to literals
 * without a lookup). Returns a `lookup` for http.request that checks every resolved address of a name.
 */
export function sendTimeTarget(url: string, config: Config): { url: URL; lookup: LookupFunction | undefined } {
  const parsed = parseTarget(url);
  if (!privateTargetsRefused(config)) return { url: parsed, lookup: undefined };
  const host = targetHost(parsed);
  if (isIP(host)) {
    assertAllowed(host, [host]);
    return { url: parsed, lookup: undefined };
  }
  return { url: parsed, lookup: guardedLookup };
}

/** dns.lookup that resolves every address, refuses the name if any is non-public, and connects to a checked one. */
const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true, verbatim: true }, (err, addresses) => {
    if (err) return callback(err, "", 0);
    const list = addresses as unknown as LookupAddress[];
    try {
      assertAllowed(
        hostname,
        list.map((a) => a.address),
      );
    } catch (rejected) {
      return callback(rejected as NodeJS.ErrnoException, "", 0);
    }
    if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
    const first = list[0];
    if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: "ENOTFOUND" }), "", 0);
    return callback(null, first.address, first.family);
  });
};
