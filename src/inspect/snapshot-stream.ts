/**
 * Writes a snapshot's JSON to an HTTP response entry by entry: the same
 * document `JSON.stringify(buildSnapshot(...))` gives, without ever holding it
 * whole. At 100k sockets the whole one is ~130 MB of short-lived entries and a
 * 33 MB string, enough to set off a major GC of a server's large heap; here
 * each entry is garbage as soon as it is in a chunk.
 *
 * Which entries are listed, and the counts, are chosen when the request
 * arrives (`selectSnapshot`); each entry is read from its record as its turn
 * comes. Chunks wait for the socket to drain, so a slow client holds at most a
 * chunk or two in memory, and one that goes away stops the writing.
 */
import type { ServerResponse } from 'node:http';
import type { SnapshotSelection } from './snapshot';

/** Characters gathered before a write: large enough that writes are few, small enough to be young garbage. */
const CHUNK_CHARS = 64 * 1024;
/**
 * Entries stringified together, up to about this many characters: one `JSON.stringify` of an array of
 * 64 entries costs ~10 % less than 64 calls. Entries of a few hundred characters go 64 at a time; long
 * ones (a socket in thousands of rooms) fewer, down to one, so a slow client still holds little.
 */
const BATCH_CHARS = 16 * 1024;
const MAX_BATCH = 64;

/** Writes the body and ends `res`; resolves false, leaving `res` as it is, if the client went away first. */
export async function writeSnapshot(res: ServerResponse, selection: SnapshotSelection): Promise<boolean> {
  const lists: [string, Iterable<unknown>][] = [
    ['rooms', selection.rooms],
    ['sockets', selection.socketEntries()],
    ['connections', selection.connectionEntries()],
    ['closed', selection.closed],
  ];
  // The head has fields, so its JSON ends with the `}` that the lists go before.
  let chunk = JSON.stringify(selection.head).slice(0, -1);
  const batch: unknown[] = [];
  for (const [name, entries] of lists) {
    chunk += `,"${name}":[`;
    let separator = '';
    // One entry first, to learn how long this list's entries are.
    let batchSize = 1;
    const addBatch = () => {
      const text = JSON.stringify(batch);
      // `[a,b]` without its brackets is `a,b`, the same text as each entry's JSON joined by commas.
      chunk += separator + text.slice(1, -1);
      separator = ',';
      batchSize = Math.max(1, Math.min(MAX_BATCH, Math.floor((BATCH_CHARS * batch.length) / text.length)));
      batch.length = 0;
    };
    for (const entry of entries) {
      batch.push(entry);
      if (batch.length < batchSize) continue;
      addBatch();
      if (chunk.length >= CHUNK_CHARS) {
        if (!(await write(res, chunk))) return false;
        chunk = '';
      }
    }
    if (batch.length > 0) addBatch();
    chunk += ']';
  }
  if (res.destroyed) return false;
  res.end(`${chunk}}`);
  return true;
}

/** Writes `chunk`; when the socket is backed up, waits for it to drain. False when the client is gone. */
async function write(res: ServerResponse, chunk: string): Promise<boolean> {
  if (res.destroyed) return false;
  if (res.write(chunk)) return true;
  if (res.destroyed) return false;
  return new Promise((resolve) => {
    const settle = (open: boolean) => () => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(open);
    };
    const onDrain = settle(true);
    const onClose = settle(false);
    res.on('drain', onDrain);
    res.on('close', onClose);
  });
}
