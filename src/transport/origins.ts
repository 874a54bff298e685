/**
 * Origin checks with socket.io 2.x semantics, and the CORS headers polling
 * responses carry.
 *
 * Accepted forms: '*:*' (anything), 'host:port', 'host:*', '*:port',
 * 'protocol://host:port', several of them in an array, or in one string
 * (matched as a substring, as socket.io 2 does, so "a.com:* b.com:*" works),
 * or a function `(origin, cb)` deciding per request.
 */
import type { IncomingMessage } from 'node:http';

export type OriginsOption = string | string[] | ((origin: string, cb: (err: string | null, ok: boolean) => void) => void);

/** Decides whether the request's Origin (or Referer) is allowed; calls back exactly once. */
export function checkOrigin(origins: OriginsOption, req: IncomingMessage, cb: (ok: boolean, err?: string) => void): void {
  let origin = req.headers.origin ?? req.headers.referer;
  // file:// pages send "null", which cannot be echoed back; treat like no origin.
  if (origin === undefined || origin === 'null') origin = '*';
  if (typeof origins === 'function') {
    let answered = false;
    try {
      origins(origin, (err, ok) => {
        if (answered) return;
        answered = true;
        cb(!err && ok === true, err ?? undefined);
      });
    } catch (error) {
      if (!answered) {
        answered = true;
        cb(false, error instanceof Error ? error.message : String(error));
      }
    }
    return;
  }
  if (origins.indexOf('*:*') !== -1) return cb(true);
  cb(originMatches(origins, origin));
}

function originMatches(origins: string | string[], origin: string): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const host = url.hostname;
  return [`${url.protocol}//${host}:${port}`, `${host}:${port}`, `${host}:*`, `*:${port}`].some((form) => origins.indexOf(form) !== -1);
}

/** A header value with characters Node would refuse to write back (engine.io rejects these as Bad request). */
export function hasInvalidHeaderChar(value: string | undefined): boolean {
  return value !== undefined && /[^\t\x20-\x7e\x80-\xff]/.test(value);
}

/** CORS headers for a polling response: the Origin echoed with credentials, or '*' without one. */
export function corsHeaders(req: IncomingMessage): Record<string, string> {
  const origin = req.headers.origin;
  if (origin) return { 'Access-Control-Allow-Origin': origin, 'Access-Control-Allow-Credentials': 'true' };
  return { 'Access-Control-Allow-Origin': '*' };
}
