import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { parseQuery, type RequestWithQuery } from '../../src/transport/query';

function request(url: string): IncomingMessage {
  return { url } as IncomingMessage;
}

describe('parseQuery', () => {
  it('reads the Engine.IO parameters and keeps the whole query on the request, as engine.io does', () => {
    const req = request('/socket.io/?EIO=4&transport=websocket&room=a%20b&tag=x&tag=y');
    expect(parseQuery(req)).toEqual({ EIO: '4', transport: 'websocket', sid: undefined, j: undefined, b64: undefined });
    expect({ ...(req as RequestWithQuery)._query }).toEqual({ EIO: '4', transport: 'websocket', room: 'a b', tag: ['x', 'y'] });
  });

  it('names the first Engine.IO parameter the query repeats; other repeated keys are not its business', () => {
    expect(parseQuery(request('/socket.io/?EIO=3&EIO=4&transport=polling')).repeated).toBe('EIO');
    expect(parseQuery(request('/socket.io/?EIO=4&transport=polling&j=1&sid=a&sid=a&j=2')).repeated).toBe('sid');
    expect(parseQuery(request('/socket.io/?EIO=4&transport=polling&b64=1&b64=1')).repeated).toBe('b64');
    expect(parseQuery(request('/socket.io/?EIO=4&transport=polling&tag=x&tag=y')).repeated).toBeUndefined();
  });

  it('gives an empty query to a URL without one, and survives malformed escapes', () => {
    const bare = request('/socket.io/');
    expect(parseQuery(bare).EIO).toBeUndefined();
    expect({ ...(bare as RequestWithQuery)._query }).toEqual({});
    const malformed = request('/socket.io/?EIO=4&x=%E0%A4%A');
    expect(parseQuery(malformed).EIO).toBe('4');
    expect(typeof (malformed as RequestWithQuery)._query.x).toBe('string');
  });
});
