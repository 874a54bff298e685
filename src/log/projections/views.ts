/** What the projections offer their readers: a read-only view of each fold. */
import type { CountersState } from './counters';
import type { RoomsView } from './rooms';
import type { SessionsView } from './sessions';

export interface Projections {
  readonly rooms: RoomsView;
  readonly sessions: SessionsView;
  /** Totals per node since the log began (counters.ts); read-only for readers. */
  readonly counters: CountersState;
}
