/** The query parameters of a request URL, parsed once per request. */
import type { IncomingMessage } from 'node:http';
import { parse as parseQueryString, type ParsedUrlQuery } from 'node:querystring';

/** The parameters Engine.IO itself reads. */
export interface EngineQuery {
  EIO?: string;
  transport?: string;
  sid?: string;
  /** JSONP callback index (polling only). */
  j?: string;
  /** The client cannot read binary payloads (v3): send binary as base64. */
  b64?: string;
  /** The first of these parameters the query gives more than once: such a request is refused. */
  repeated?: EngineParameter;
}

export type EngineParameter = 'EIO' | 'transport' | 'sid' | 'j' | 'b64';

const ENGINE_PARAMETERS: readonly EngineParameter[] = ['EIO', 'transport', 'sid', 'j', 'b64'];

/** A request as engine.io leaves it: its whole query parsed, as `_query` (applications and socket handshakes read it). */
export type RequestWithQuery = IncomingMessage & { _query: ParsedUrlQuery };

export function pathnameOf(url: string | undefined): string {
  if (!url) return '/';
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

/**
 * Parses the request's query once, keeps it on the request as `_query` (as
 * engine.io does, with `querystring`'s shape: repeated keys become arrays),
 * and returns the Engine.IO parameters. A repeated one is named in
 * `repeated` (its first value is kept, for the error's context only).
 */
export function parseQuery(req: IncomingMessage): EngineQuery {
  const url = req.url ?? '';
  const q = url.indexOf('?');
  const all = parseQueryString(q < 0 ? '' : url.slice(q + 1));
  (req as RequestWithQuery)._query = all;
  const query: EngineQuery = { EIO: first(all.EIO), transport: first(all.transport), sid: first(all.sid), j: first(all.j), b64: first(all.b64) };
  for (const name of ENGINE_PARAMETERS) {
    if (Array.isArray(all[name])) {
      query.repeated = name;
      break;
    }
  }
  return query;
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
