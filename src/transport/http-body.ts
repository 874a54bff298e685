/**
 * Reads a polling POST body with a byte limit. Over the limit the request is
 * answered 413 (Connection: close, so the rest of the body is not read) and
 * the caller learns how large it got.
 */
import type { IncomingMessage } from 'node:http';

export type BodyResult = { ok: true; body: Buffer } | { ok: false; tooLarge: true; size: number } | { ok: false; tooLarge: false; message: string };

export function readBody(req: IncomingMessage, limit: number, done: (result: BodyResult) => void): void {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return done({ ok: false, tooLarge: true, size: declared });
  const chunks: Buffer[] = [];
  let size = 0;
  let finished = false;
  const finish = (result: BodyResult) => {
    if (finished) return;
    finished = true;
    req.off('data', onData);
    req.off('end', onEnd);
    req.off('close', onClose);
    done(result);
  };
  const onData = (chunk: Buffer) => {
    size += chunk.length;
    if (size > limit) {
      req.pause();
      finish({ ok: false, tooLarge: true, size });
    } else chunks.push(chunk);
  };
  const onEnd = () => finish({ ok: true, body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size) });
  const onClose = () => finish({ ok: false, tooLarge: false, message: 'data request connection closed prematurely' });
  req.on('data', onData);
  req.on('end', onEnd);
  req.on('close', onClose);
}
