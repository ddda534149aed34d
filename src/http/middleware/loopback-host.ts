import type { MiddlewareHandler } from 'hono';
import { problems } from '../problem.js';
import { isLoopback } from './control-auth.js';

/**
 * For a node bound to loopback: answer only requests addressed to a loopback name (localhost,
 * 127.0.0.0/8, [::1], any port). A page whose own name an attacker rebinds to 127.0.0.1 (DNS
 * rebinding) reaches the socket, but its requests still say `Host: evil.example`: 421 problem.
 */
export function loopbackHost(): MiddlewareHandler {
  return async function loopbackHostMiddleware(c, next) {
    // The Host header, and the authority the URL was built from (an absolute-form target wins over Host).
    const header = c.req.header('host');
    for (const authority of [header, new URL(c.req.url).host]) {
      if (authority !== undefined && !isLoopback(hostName(authority))) throw problems.unknownHost(authority);
    }
    return next();
  };
}

/** The name part of a Host value: `[::1]:8080` → `::1`, `localhost.:80` → `localhost`. */
export function hostName(authority: string): string {
  const bracketed = /^\[([^\]]*)\](?::\d*)?$/.exec(authority);
  if (bracketed) return bracketed[1]!;
  const name = authority.includes(':') && authority.indexOf(':') === authority.lastIndexOf(':') ? authority.slice(0, authority.indexOf(':')) : authority;
  return name.endsWith('.') ? name.slice(0, -1) : name;
}
