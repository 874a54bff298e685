/**
 * The sha256 of a client's string, for the log's cut marks and long keys.
 * Read as UTF-8, as it always was (logs already written keep their marks),
 * except a string that holds a lone surrogate: UTF-8 turns each into U+FFFD,
 * so names that differ only there would share one digest, and replay would
 * fold two rooms into one. Those are read as their UTF-16 code units.
 */
import { createHash, type Hash } from 'node:crypto';

/** ES2024's String.prototype.isWellFormed (Node 20 has it; the project's lib is ES2022). */
const isWellFormed = (value: string): boolean => (value as unknown as { isWellFormed(): boolean }).isWellFormed();

export function stringDigest(value: string): Hash {
  return createHash('sha256').update(value, isWellFormed(value) ? 'utf8' : 'utf16le');
}
