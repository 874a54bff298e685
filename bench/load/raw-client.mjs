// One Socket.IO v5 client on the main namespace, speaking Engine.IO v4 frames
// over a raw `ws` WebSocket. It parses only what the scenarios need, and reads
// hot-path frames by their first bytes without decoding them, so that the load
// generator stays cheaper than the servers it measures.
import WebSocket from 'ws';

const CHAR_0 = 0x30;
const EIO_OPEN = 0x30; // '0'
const EIO_CLOSE = 0x31; // '1'
const EIO_PING = 0x32; // '2'
const EIO_MESSAGE = 0x34; // '4'
const SIO_CONNECT = 0x30; // '0'
const SIO_DISCONNECT = 0x31; // '1'
const SIO_EVENT = 0x32; // '2'
const SIO_ACK = 0x33; // '3'
const SIO_CONNECT_ERROR = 0x34; // '4'
const SIO_BINARY_EVENT = 0x35; // '5'
const SIO_BINARY_ACK = 0x36; // '6'
const SLASH = 0x2f; // '/'
const COMMA = 0x2c; // ','

/** Reads the decimal number starting at `start`; returns [value, index after it], value -1 when there are no digits. */
function readNumber(bytes, start) {
  let value = -1;
  let index = start;
  while (index < bytes.length && bytes[index] >= CHAR_0 && bytes[index] <= CHAR_0 + 9) {
    value = (value < 0 ? 0 : value * 10) + (bytes[index] - CHAR_0);
    index += 1;
  }
  return [value, index];
}

export class RawSocketIoClient {
  /** Called with (frame: Buffer) for each text event, and with (null) for each binary event once all its attachments arrived. */
  onEvent = () => {};
  /** Called once when the connection ends, with a short reason. */
  onClose = () => {};

  #ws;
  #nextAckId = 0;
  #pendingAcks = new Map();
  #attachmentsLeft = 0;
  #attachmentAckId = -1;
  #connected = false;
  #closed = false;
  #onConnected = () => {};
  #onConnectError = () => {};
  /** Namespaces other than the main one awaiting their CONNECT, by name. */
  #namespacesPending = new Map();

  /** Opens the WebSocket and resolves once the server acknowledged the namespace connection ('40'). */
  connect(url, timeoutMs) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`no Socket.IO connect within ${timeoutMs} ms`)), timeoutMs);
      const fail = (error) => {
        clearTimeout(timer);
        this.close();
        reject(error);
      };
      this.#onConnected = () => {
        clearTimeout(timer);
        resolve();
      };
      this.#onConnectError = fail;
      this.#ws = new WebSocket(url, { perMessageDeflate: false, skipUTF8Validation: true });
      this.#ws.on('message', (data, isBinary) => (isBinary ? this.#onAttachment() : this.#onText(data)));
      this.#ws.on('error', (error) => (this.#connected ? this.close() : fail(error)));
      this.#ws.on('close', () => {
        if (!this.#connected) fail(new Error('closed before the Socket.IO connect'));
        this.#finish('closed');
      });
    });
  }

  /**
   * Opens one more namespace on the same connection (multiplexing, as a
   * socket.io-client Manager does) and resolves once the server acknowledged it.
   */
  openNamespace(nsp, timeoutMs) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no connect to ${nsp} within ${timeoutMs} ms`)), timeoutMs);
      this.#namespacesPending.set(nsp, () => {
        clearTimeout(timer);
        resolve();
      });
      this.#ws.send(`40${nsp},`);
    });
  }

  /** Sends an event; `data` must already be a JSON string. */
  emit(event, dataJson) {
    this.#ws.send(`42["${event}",${dataJson}]`);
  }

  /** Sends an event with an ack id; resolves when the server's ack arrives. */
  emitWithAck(event, dataJson) {
    if (this.#closed) return Promise.reject(new Error('connection closed'));
    const id = this.#nextAckId++;
    return new Promise((resolve, reject) => {
      this.#pendingAcks.set(id, { resolve, reject });
      this.#ws.send(`42${id}["${event}",${dataJson}]`);
    });
  }

  close() {
    if (this.#ws && this.#ws.readyState !== WebSocket.CLOSED) this.#ws.terminate();
    this.#finish('closed by client');
  }

  #finish(reason) {
    if (this.#closed) return;
    this.#closed = true;
    for (const { reject } of this.#pendingAcks.values()) reject(new Error(`connection ${reason} before the ack`));
    this.#pendingAcks.clear();
    this.onClose(reason);
  }

  #onText(bytes) {
    switch (bytes[0]) {
      case EIO_MESSAGE:
        this.#onSocketIoPacket(bytes);
        return;
      case EIO_PING:
        this.#ws.send('3');
        return;
      case EIO_OPEN:
        this.#ws.send('40');
        return;
      case EIO_CLOSE:
        this.close();
        return;
      default:
        // noop ('6') and other Engine.IO types carry nothing a scenario needs.
        return;
    }
  }

  #onSocketIoPacket(bytes) {
    switch (bytes[1]) {
      case SIO_EVENT:
        this.onEvent(bytes);
        return;
      case SIO_ACK:
        this.#settleAck(readNumber(bytes, 2)[0]);
        return;
      case SIO_BINARY_EVENT:
      case SIO_BINARY_ACK: {
        const [attachments, dash] = readNumber(bytes, 2);
        this.#attachmentsLeft = attachments;
        this.#attachmentAckId = bytes[1] === SIO_BINARY_ACK ? readNumber(bytes, dash + 1)[0] : -1;
        if (attachments <= 0) this.#onBinaryPacketComplete();
        return;
      }
      case SIO_CONNECT: {
        // '40/nsp,{...}' answers openNamespace; a bare '40{...}' is the main namespace.
        if (bytes[2] === SLASH) {
          const nsp = bytes.toString('utf8', 2, bytes.indexOf(COMMA, 2));
          const done = this.#namespacesPending.get(nsp);
          this.#namespacesPending.delete(nsp);
          done?.();
          return;
        }
        this.#connected = true;
        this.#onConnected();
        return;
      }
      case SIO_CONNECT_ERROR:
        this.#onConnectError(new Error(`connect_error: ${bytes.toString('utf8', 2)}`));
        return;
      case SIO_DISCONNECT:
        this.close();
        return;
      default:
        return;
    }
  }

  #onAttachment() {
    this.#attachmentsLeft -= 1;
    if (this.#attachmentsLeft === 0) this.#onBinaryPacketComplete();
  }

  #onBinaryPacketComplete() {
    if (this.#attachmentAckId >= 0) this.#settleAck(this.#attachmentAckId);
    else this.onEvent(null);
  }

  #settleAck(id) {
    const pending = this.#pendingAcks.get(id);
    if (!pending) return;
    this.#pendingAcks.delete(id);
    pending.resolve();
  }
}
