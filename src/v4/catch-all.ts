/**
 * socket.io 4's catch-all listeners of a socket: `onAny` hears every event
 * the client sends (before the packet middlewares), `onAnyOutgoing` every
 * event sent to it, its own emits and the broadcasts that reach it. Kept
 * apart from the socket, and made on first use: most sockets have none.
 */
type Listener = (...args: any[]) => void;

export class CatchAllListeners {
  readonly incoming: Listener[] = [];
  readonly outgoing: Listener[] = [];

  add(listener: Listener, first: boolean): void {
    if (first) this.incoming.unshift(listener);
    else this.incoming.push(listener);
  }

  addOutgoing(listener: Listener, first: boolean): void {
    if (first) this.outgoing.unshift(listener);
    else this.outgoing.push(listener);
  }

  /** Removes one listener, or all of them when none is named. */
  remove(listener: Listener | undefined, outgoing: boolean): void {
    const list = outgoing ? this.outgoing : this.incoming;
    if (!listener) {
      list.length = 0;
      return;
    }
    const index = list.indexOf(listener);
    if (index !== -1) list.splice(index, 1);
  }

  /** Each listener is called with the event's name and arguments, `this` being the socket; a copy, so one may remove itself. */
  notifyIncoming(self: object, args: readonly unknown[]): void {
    for (const listener of this.incoming.slice()) listener.apply(self, args as unknown[]);
  }

  notifyOutgoing(self: object, args: readonly unknown[]): void {
    for (const listener of this.outgoing.slice()) listener.apply(self, args as unknown[]);
  }
}
