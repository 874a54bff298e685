/**
 * Compresses polling responses (gzip or deflate, as the client accepts)
 * when they are at least `threshold` bytes, as engine.io's httpCompression.
 */
import type { IncomingMessage } from 'node:http';
import zlib from 'node:zlib';

export interface HttpCompressionOptions extends zlib.ZlibOptions {
  threshold: number;
}

export function chooseEncoding(req: IncomingMessage): 'gzip' | 'deflate' | undefined {
  const accepted = String(req.headers['accept-encoding'] ?? '').toLowerCase();
  if (/\bgzip\b/.test(accepted)) return 'gzip';
  if (/\bdeflate\b/.test(accepted)) return 'deflate';
  return undefined;
}

export function compressBody(
  body: Buffer,
  encoding: 'gzip' | 'deflate',
  options: HttpCompressionOptions,
  done: (err: Error | null, out: Buffer) => void,
): void {
  const { threshold: _threshold, ...zlibOptions } = options;
  if (encoding === 'gzip') zlib.gzip(body, zlibOptions, done);
  else zlib.deflate(body, zlibOptions, done);
}
