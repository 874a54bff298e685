/**
 * The inspector's defence against DNS rebinding: a page on evil.example can
 * make its name resolve to 127.0.0.1 and then read the inspector as a
 * same-origin resource, but the browser still sends `Host: evil.example`.
 * So a request is answered only when its Host names this server: a local
 * name (localhost, 127.0.0.1, [::1]), the machine's host name, the address
 * the request arrived on, or a name the application lists. Only the name is
 * compared, with or without a port: a rebinding attacker chooses the name.
 */
import type { IncomingMessage } from 'node:http';
import { hostname } from 'node:os';

const LOCAL_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/** A Host header: a DNS name or IPv4 address, or an IPv6 address in brackets, then an optional port; a trailing dot allowed. */
const HOST_HEADER = /^(\[[0-9a-f:.]+\]|[a-z0-9_-]+(?:\.[a-z0-9_-]+)*)\.?(?::\d{1,5})?$/i;

/** The host name of a Host header value, lowercased, without port or trailing dot; undefined when malformed. */
export function hostName(header: string): string | undefined {
  return HOST_HEADER.exec(header)?.[1]?.toLowerCase();
}

/** How an address the server listens on is written in a Host header (IPv6 in brackets, IPv4-mapped ones both ways). */
function addressNames(address: string | undefined): string[] {
  if (!address) return [];
  const bare = address.replace(/%.*$/, '').toLowerCase();
  if (!bare.includes(':')) return [bare];
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(bare);
  return mapped ? [mapped[1]!, `[${bare}]`] : [`[${bare}]`];
}

/**
 * Checks the `allowedHosts` option (host names, no ports, no wildcards) and
 * returns the test a request's Host must pass.
 */
export function createHostCheck(allowedHosts: readonly string[] = []): (req: IncomingMessage) => boolean {
  if (!Array.isArray(allowedHosts)) throw new TypeError('The inspector option allowedHosts must be an array of host names');
  const fixed = new Set([...LOCAL_NAMES, hostname().toLowerCase()]);
  for (const entry of allowedHosts) {
    const name = typeof entry === 'string' ? hostName(entry) : undefined;
    if (name === undefined || name !== entry.toLowerCase().replace(/\.$/, '')) {
      throw new TypeError(
        `The inspector option allowedHosts takes host names without a port (e.g. "inspector.example.com", "[2001:db8::1]"), got ${JSON.stringify(entry)}`,
      );
    }
    fixed.add(name);
  }
  return (req) => {
    const header = req.headers.host;
    const name = header === undefined ? undefined : hostName(header);
    if (name === undefined) return false;
    return fixed.has(name) || addressNames(req.socket.localAddress).includes(name);
  };
}
