/**
 * An inspector `auth` that checks HTTP Basic credentials: the safe default
 * to reach for instead of trusting the client's address, which a reverse
 * proxy on the same host turns into 127.0.0.1 for everyone.
 *
 * Both sides are hashed before the constant-time comparison, so the timing
 * tells neither the secret's length nor where a guess first differs.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const BASIC = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i;

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * `auth` for the inspector: true when the request's Authorization header
 * holds `user` and `password`. Without a password (an unset environment
 * variable) it refuses everything and says so once, as a process warning.
 */
export function basicAuth(user: string, password: string | undefined): (req: IncomingMessage) => boolean {
  if (typeof user !== 'string' || user === '' || user.includes(':')) throw new TypeError('basicAuth needs a user name, without ":"');
  if (typeof password !== 'string' || password === '') {
    process.emitWarning('basicAuth has no password: the inspector refuses every request', { code: 'IOSTATE_INSPECTOR_NO_PASSWORD' });
    return () => false;
  }
  const expected = digest(`${user}:${password}`);
  return (req) => {
    const given = BASIC.exec(req.headers.authorization ?? '')?.[1];
    return given !== undefined && timingSafeEqual(digest(Buffer.from(given, 'base64').toString('utf8')), expected);
  };
}
