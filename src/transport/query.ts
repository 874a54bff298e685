/** The query parameters Engine.IO reads from a request URL, parsed once per request. */
import type { IncomingMessage } from 'node:http';

export interface EngineQuery {
  EIO?: string;
  transport?: string;
  sid?: string;
  /** JSONP callback index (polling only). */
  j?: string;
  /** The client cannot read binary payloads (v3): send binary as base64. */
  b64?: string;
}

export function pathnameOf(url: string | undefined): string {
  if (!url) return '/';
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

export function parseQuery(req: IncomingMessage): EngineQuery {
  const url = req.url ?? '';
  const q = url.indexOf('?');
  if (q < 0) return {};
  const params = new URLSearchParams(url.slice(q + 1));
  const query: EngineQuery = {};
  for (const key of ['EIO', 'transport', 'sid', 'j', 'b64'] as const) {
    const value = params.get(key);
    if (value !== null) query[key] = value;
  }
  return query;
}
