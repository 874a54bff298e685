// Each scenario is written once and run for every client generation the
// target speaks; the others show as skipped, not silently absent.
import { describe } from 'vitest';
import { allClients, type ClientKind } from './clients';
import { targetName, targetSpeaks } from './target';

export function forEachClient(body: (client: ClientKind) => void): void {
  for (const client of allClients) {
    describe.skipIf(!targetSpeaks(client.generation))(`${client.name} → ${targetName}`, () => body(client));
  }
}
