/**
 * HTTP long-polling for one session: GET requests wait for packets, POST
 * requests carry the client's packets. Framing follows the session's
 * protocol: v4 joins packets with \x1e (binary as "b"+base64); v3 writes
 * "<length>:<packet>" text payloads, or binary payloads to clients that
 * read binary (no `b64` at handshake). JSONP (`j`) wraps text payloads in
 * `___eio[j]("...");` and reads form-encoded `d=` POST bodies.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isBinaryData } from './codec/binary';
import type { EnginePacket } from './codec/packet';
import * as v3 from './codec/v3';
import * as v4 from './codec/v4';
import { EngineErrorCode, refusal, writeHttpError } from './errors';
import { readBody } from './http-body';
import { chooseEncoding, compressBody, type HttpCompressionOptions } from './http-compression';
import type { OutgoingPacket, Transport, TransportSink } from './transport';

export interface PollingSettings {
  maxHttpBufferSize: number;
  httpCompression: HttpCompressionOptions | false;
  /** Headers every response carries (CORS). */
  headers: (req: IncomingMessage) => Record<string, string | string[]>;
}

export class PollingTransport implements Transport {
  readonly name = 'polling' as const;
  private pollReq: IncomingMessage | undefined;
  private pollRes: ServerResponse | undefined;
  /** The POST whose body is being read, if any: at most one per session. */
  private postReq: IncomingMessage | undefined;
  /** Extra headers for the next poll response only (the handshake's Set-Cookie). */
  private nextHeaders: Record<string, string> | undefined;

  constructor(
    public sink: TransportSink,
    readonly protocol: 3 | 4,
    readonly supportsBinary: boolean,
    /** JSONP callback index, digits only; undefined for XHR polling. */
    private readonly jsonp: string | undefined,
    private readonly settings: PollingSettings,
  ) {}

  get writable(): boolean {
    return this.pollRes !== undefined;
  }

  onRequest(req: IncomingMessage, res: ServerResponse, extraHeaders?: Record<string, string>): void {
    if (req.method === 'GET') this.onPoll(req, res, extraHeaders);
    else if (req.method === 'POST') this.onPost(req, res);
    else writeHttpError(res, refusal(EngineErrorCode.BAD_REQUEST, { method: req.method }), this.settings.headers(req));
  }

  private onPoll(req: IncomingMessage, res: ServerResponse, extraHeaders?: Record<string, string>): void {
    if (this.pollRes) {
      writeHttpError(res, refusal(EngineErrorCode.BAD_REQUEST, { reason: 'overlap from client' }), this.settings.headers(req));
      this.sink.onError({ message: 'overlap from client: a second GET while one was pending' });
      return;
    }
    this.pollReq = req;
    this.pollRes = res;
    this.nextHeaders = extraHeaders;
    res.once('close', () => {
      if (this.pollRes !== res) return;
      this.pollReq = this.pollRes = undefined;
      this.sink.onError({ message: 'poll connection closed prematurely' });
    });
    this.sink.onDrain();
  }

  private onPost(req: IncomingMessage, res: ServerResponse): void {
    const headers = this.settings.headers(req);
    if (this.postReq) {
      refuseUnread(res, refusal(EngineErrorCode.BAD_REQUEST, { reason: 'data request overlap from client' }), headers);
      this.sink.onError({ message: 'data request overlap from client' });
      return;
    }
    const binaryBody = req.headers['content-type'] === 'application/octet-stream';
    if (binaryBody && (this.protocol === 4 || this.jsonp !== undefined)) {
      refuseUnread(res, refusal(EngineErrorCode.BAD_REQUEST, { reason: 'invalid content' }), headers);
      this.sink.onError({ message: 'invalid content: binary POST body', initiator: 'server' });
      return;
    }
    this.postReq = req;
    const limit = this.settings.maxHttpBufferSize;
    readBody(req, limit, (result) => {
      this.postReq = undefined;
      if (!result.ok) {
        if (result.tooLarge) {
          if (!res.headersSent) res.writeHead(413, { ...headers, Connection: 'close', 'Content-Length': '0' }).end();
          this.sink.onError({ message: 'payload too large', initiator: 'server', size: result.size, limit });
        } else this.sink.onError({ message: result.message });
        return;
      }
      const decoded = this.decode(result.body, binaryBody);
      if (!decoded.ok) {
        writeHttpError(res, refusal(EngineErrorCode.BAD_REQUEST, { reason: decoded.error }), headers);
        this.sink.onParseError(decoded.error);
        return;
      }
      res.writeHead(200, { ...headers, 'Content-Type': 'text/html', 'Content-Length': '2' });
      res.end('ok');
      for (const packet of decoded.value) {
        // The client is leaving: a GET still waiting is released with a noop (engine.io does so), not a close packet.
        if (packet.type === 'close' && this.pollRes) this.send([{ type: 'noop' }]);
        this.sink.onPacket(packet);
      }
    });
  }

  private decode(body: Buffer, binaryBody: boolean) {
    if (binaryBody) return v3.decodePayload(body);
    let text = body.toString('utf8');
    if (this.jsonp !== undefined) {
      const field = new URLSearchParams(text).get('d');
      if (field === null) return { ok: false as const, error: 'JSONP body without a d= field' };
      text = unescapeJsonpNewlines(field);
    }
    return this.protocol === 4 ? v4.decodePayload(text) : v3.decodePayload(text);
  }

  /** Answers the pending GET with these packets. Only call when `writable`. */
  send(packets: OutgoingPacket[]): void {
    const req = this.pollReq!;
    const res = this.pollRes!;
    this.pollReq = this.pollRes = undefined;
    const extra = this.nextHeaders;
    this.nextHeaders = undefined;
    let body = this.encode(packets);
    let contentType: string;
    if (this.jsonp !== undefined) {
      body = `___eio[${this.jsonp}](${JSON.stringify(body)
        .replace(/\u2028/g, '\\u2028')
        .replace(/\u2029/g, '\\u2029')});`;
      contentType = 'text/javascript; charset=UTF-8';
    } else contentType = typeof body === 'string' ? 'text/plain; charset=UTF-8' : 'application/octet-stream';
    const headers: Record<string, string | string[]> = { ...this.settings.headers(req), ...extra, 'Content-Type': contentType };
    const callbacks = packets.filter((packet) => packet.onSent);
    if (callbacks.length) res.once('finish', () => callbacks.forEach((packet) => packet.onSent!()));
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    const compression = this.settings.httpCompression;
    const encoding =
      compression && packets.some((packet) => packet.compress !== false) && bytes.length >= compression.threshold ? chooseEncoding(req) : undefined;
    if (!compression || !encoding) return respond(res, headers, bytes);
    compressBody(bytes, encoding, compression, (err, compressed) => {
      if (err) return respond(res, headers, bytes);
      respond(res, { ...headers, 'Content-Encoding': encoding }, compressed);
    });
  }

  private encode(packets: OutgoingPacket[]): string | Buffer {
    if (this.protocol === 4) {
      let body = '';
      for (let i = 0; i < packets.length; i++) {
        if (i > 0) body += v4.PAYLOAD_SEPARATOR;
        const packet = packets[i];
        body += packet.prepared ? packet.prepared.pollingSegment(4) : v4.encodePacket(packet, false);
      }
      return body;
    }
    if (this.supportsBinary && this.jsonp === undefined && packets.some(carriesBinary)) {
      return v3.encodePayload(packets.flatMap(plainPackets), true);
    }
    let body = '';
    for (const packet of packets) body += packet.prepared ? packet.prepared.pollingSegment(3) : v3.encodePayload([packet], false);
    return body;
  }

  /** Ends the session's requests: the pending poll gets the close packet, a body still arriving is cut off. */
  shutdown(): void {
    if (this.pollRes) this.send([{ type: 'close' }]);
    this.postReq?.destroy();
  }
}

/**
 * Refuses a POST before reading its body: with `Connection: close`, Node's
 * server destroys the socket once the answer is out, even while the client
 * is still sending, so a body trickled forever cannot hold it (polling
 * connection exhaustion; test/robustness/slowloris.test.ts).
 */
function refuseUnread(res: ServerResponse, error: ReturnType<typeof refusal>, headers: Record<string, string | string[]>): void {
  writeHttpError(res, error, { ...headers, Connection: 'close' });
}

function respond(res: ServerResponse, headers: Record<string, string | string[]>, body: Buffer): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(200, { ...headers, 'Content-Length': String(body.length) });
  res.end(body);
}

function carriesBinary(packet: OutgoingPacket): boolean {
  return packet.prepared ? packet.prepared.hasBinary : isBinaryData(packet.data);
}

function plainPackets(packet: OutgoingPacket): EnginePacket[] {
  return packet.prepared ? packet.prepared.packets : [packet];
}

/**
 * The JSONP client escapes "\n" inside data as "\\n" and real newlines as
 * "\n" (the two characters): turn the latter back into newlines, the former
 * into the two characters.
 */
function unescapeJsonpNewlines(data: string): string {
  return data.replace(/(\\)?\\n/g, (match, slash: string | undefined) => (slash ? match : '\n')).replace(/\\\\n/g, '\\n');
}
