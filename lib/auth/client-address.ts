/**
 * Who sent a request: the address at the other end of its connection,
 * unless that is a reverse proxy this server was told to trust
 * (NETLOOM_TRUSTED_PROXIES), whose X-Forwarded-For then names the client.
 * A client sets X-Forwarded-For to anything it likes, so the header is
 * believed only as far as trusted proxies wrote it: read from the right,
 * each trusted hop's entry names the one before it, and the first address
 * that is not a trusted proxy is the client. scripts/serve.ts writes the
 * answer into X-Forwarded-For before anything else reads it, so rate limits
 * (sign-in) key on an address the client cannot choose.
 */
import net from 'node:net';
import { ConfigError, type Env } from './mode';

/** An IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) as the IPv4 address it is. */
export function plainAddress(address: string): string {
  const trimmed = address.trim().replace(/^\[(.*)\]$/, '$1');
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(trimmed);
  return mapped ? mapped[1]! : trimmed;
}

/** NETLOOM_TRUSTED_PROXIES: addresses or CIDR ranges (`10.0.0.0/8`, `fd00::/8`), comma- or space-separated; none by default. */
export function trustedProxies(env: Env = process.env): net.BlockList {
  const list = new net.BlockList();
  for (const entry of (env.NETLOOM_TRUSTED_PROXIES ?? '').split(/[\s,]+/).filter(Boolean)) {
    const [address = '', bits] = entry.split('/');
    const plain = plainAddress(address);
    const family = net.isIP(plain);
    const prefix = bits === undefined ? undefined : Number(bits);
    if (!family || (prefix !== undefined && !(Number.isInteger(prefix) && prefix >= 0 && prefix <= (family === 4 ? 32 : 128)))) {
      throw new ConfigError(`NETLOOM_TRUSTED_PROXIES: "${entry}" is not an address or a CIDR range (10.0.0.5, 10.0.0.0/8, fd00::/8)`);
    }
    if (prefix === undefined) list.addAddress(plain, family === 4 ? 'ipv4' : 'ipv6');
    else list.addSubnet(plain, prefix, family === 4 ? 'ipv4' : 'ipv6');
  }
  return list;
}

function trusted(list: net.BlockList, address: string): boolean {
  const family = net.isIP(address);
  return family !== 0 && list.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** The client's address, from the connection's peer and the X-Forwarded-For it came with. */
export function clientAddress(peer: string, forwardedFor: string | string[] | undefined, proxies: net.BlockList): string {
  const forwarded = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : (forwardedFor ?? '')).split(',').map(plainAddress).filter(Boolean);
  const hops = [...forwarded, plainAddress(peer)];
  let i = hops.length - 1;
  while (i > 0 && trusted(proxies, hops[i]!)) i--;
  // What a trusted proxy wrote is believed, but not beyond what names an address.
  return net.isIP(hops[i]!) ? hops[i]! : plainAddress(peer);
}
