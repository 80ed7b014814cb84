import { isIPv4, isIPv6 } from 'node:net';

/** How many leading bits of an address name its network (NETWORK_PREFIX_IPV4, NETWORK_PREFIX_IPV6). */
export interface NetworkPrefixes {
  ipv4: number;
  ipv6: number;
}

export const DEFAULT_NETWORK_PREFIXES: NetworkPrefixes = { ipv4: 32, ipv6: 64 };

/**
 * The network an address belongs to, as the limits count it: an IPv4 address (its first `ipv4`
 * bits) or an IPv6 prefix (its first `ipv6` bits, a /64 by default: what one home router or one
 * phone is handed, so the 2^64 addresses of one subscriber are one network, not 2^64 clients).
 * Written in a canonical form with its length ("2001:db8:1:2::/64", "203.0.113.7"), so that one
 * network has one key whatever spelling the address arrived in. Anything that is no IP address
 * (a Unix socket's peer) is its own network.
 */
export function networkOf(address: string, prefixes: NetworkPrefixes = DEFAULT_NETWORK_PREFIXES): string {
  const bare = address.includes('%') ? address.slice(0, address.indexOf('%')) : address;
  if (isIPv4(bare)) return prefixes.ipv4 >= 32 ? bare : `${formatV4(maskBytes(v4Bytes(bare), prefixes.ipv4))}/${prefixes.ipv4}`;
  if (isIPv6(bare)) {
    const bytes = v6Bytes(bare);
    // An IPv4 address written as IPv6 (::ffff:a.b.c.d) is that IPv4 client.
    if (bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
      return networkOf(formatV4(bytes.subarray(12)), prefixes);
    }
    return `${formatV6(maskBytes(bytes, prefixes.ipv6))}/${prefixes.ipv6}`;
  }
  return address.slice(0, 100);
}

function v4Bytes(address: string): Uint8Array {
  return Uint8Array.from(address.split('.').map(Number));
}

function formatV4(bytes: Uint8Array): string {
  return Array.from(bytes).join('.');
}

/** The 16 bytes of a valid IPv6 address (checked by isIPv6 first), `::` and a dotted IPv4 tail included. */
function v6Bytes(address: string): Uint8Array {
  let text = address.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = v4Bytes(dotted[1]);
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? (text.split('::') as [string, string]) : [text, undefined];
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  const bytes = new Uint8Array(16);
  groups.forEach((group, i) => {
    const value = parseInt(group, 16);
    bytes[i * 2] = value >> 8;
    bytes[i * 2 + 1] = value & 0xff;
  });
  return bytes;
}

function formatV6(bytes: Uint8Array): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  // The longest run of two or more zero groups becomes "::" (RFC 5952).
  let best = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') {
      i += 1;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j += 1;
    if (j - i > bestLength) {
      best = i;
      bestLength = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLength).join(':')}`;
}

function maskBytes(bytes: Uint8Array, bits: number): Uint8Array {
  const out = Uint8Array.from(bytes);
  for (let i = 0; i < out.length; i += 1) {
    const keep = Math.max(0, Math.min(8, bits - i * 8));
    out[i] = out[i] & ((0xff << (8 - keep)) & 0xff);
  }
  return out;
}
