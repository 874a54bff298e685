/**
 * Decoding text packets inside a v3 binary payload as engine.io-parser 2.x
 * does (its bundled utf8.js, non-strict): invalid UTF-8 (bad continuation
 * bytes, overlong forms, truncation, bytes that start nothing) is an error,
 * but an encoded surrogate (ED A0 80 .. ED BF BF) reads as one U+FFFD.
 * Encoding needs no helper: utf8.js writes a lone surrogate as U+FFFD, exactly
 * as Buffer.from(text, 'utf8') does.
 */

const fatalDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const REPLACEMENT = 0xfffd;

/** The decoded text, or undefined when the bytes are not valid UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return fatalDecoder.decode(bytes);
  } catch {
    return decodeReplacingSurrogates(bytes);
  }
}

// Only reached for input the strict decoder refused: either encoded
// surrogates (replaced here) or genuinely invalid bytes.
function decodeReplacingSurrogates(bytes: Uint8Array): string | undefined {
  const units: number[] = [];
  let i = 0;
  const continuation = (): number | undefined => {
    const byte = bytes[i++];
    return byte !== undefined && (byte & 0xc0) === 0x80 ? byte & 0x3f : undefined;
  };
  while (i < bytes.length) {
    const first = bytes[i++];
    let code: number;
    if (first < 0x80) {
      code = first;
    } else if ((first & 0xe0) === 0xc0) {
      const b1 = continuation();
      if (b1 === undefined) return undefined;
      code = ((first & 0x1f) << 6) | b1;
      if (code < 0x80) return undefined;
    } else if ((first & 0xf0) === 0xe0) {
      const b1 = continuation();
      const b2 = continuation();
      if (b1 === undefined || b2 === undefined) return undefined;
      code = ((first & 0x0f) << 12) | (b1 << 6) | b2;
      if (code < 0x800) return undefined;
      if (code >= 0xd800 && code <= 0xdfff) code = REPLACEMENT;
    } else if ((first & 0xf8) === 0xf0) {
      const b1 = continuation();
      const b2 = continuation();
      const b3 = continuation();
      if (b1 === undefined || b2 === undefined || b3 === undefined) return undefined;
      code = ((first & 0x07) << 18) | (b1 << 12) | (b2 << 6) | b3;
      if (code < 0x10000 || code > 0x10ffff) return undefined;
    } else {
      return undefined;
    }
    if (code >= 0x10000) {
      code -= 0x10000;
      units.push(0xd800 | (code >> 10), 0xdc00 | (code & 0x3ff));
    } else {
      units.push(code);
    }
  }
  let text = '';
  for (let start = 0; start < units.length; start += 8192) {
    text += String.fromCharCode(...units.slice(start, start + 8192));
  }
  return text;
}
