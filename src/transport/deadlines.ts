/**
 * Heartbeat deadlines for many sessions on a handful of Node timers.
 *
 * Every session has a heartbeat deadline, and the durations are few (the
 * server's pingInterval, pingTimeout and their sum), so deadlines of one
 * duration expire in the order they were set. Each duration gets one list,
 * linked through the sessions themselves, and one Node timer for its head:
 * a session pays three fields instead of a Timeout object (~270 B with its
 * arguments). Refreshing a deadline (v3: on every client packet) moves the
 * session to the tail of its list in O(1).
 */

/** What a session carries to be scheduled (fields owned by this module). */
export interface DeadlineOwner {
  deadlineDue: number;
  deadlinePrev: DeadlineOwner | undefined;
  deadlineNext: DeadlineOwner | undefined;
  deadlineList: DeadlineList | undefined;
  /** Called once when the deadline passes (the owner is already unscheduled). */
  onDeadline(): void;
}

class DeadlineList {
  private head: DeadlineOwner | undefined;
  private tail: DeadlineOwner | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(readonly ms: number) {}

  append(owner: DeadlineOwner, due: number): void {
    owner.deadlineDue = due;
    owner.deadlineList = this;
    owner.deadlinePrev = this.tail;
    owner.deadlineNext = undefined;
    if (this.tail) this.tail.deadlineNext = owner;
    else this.head = owner;
    this.tail = owner;
    if (this.timer === undefined) this.arm();
  }

  remove(owner: DeadlineOwner): void {
    if (owner.deadlinePrev) owner.deadlinePrev.deadlineNext = owner.deadlineNext;
    else this.head = owner.deadlineNext;
    if (owner.deadlineNext) owner.deadlineNext.deadlinePrev = owner.deadlinePrev;
    else this.tail = owner.deadlinePrev;
    owner.deadlinePrev = owner.deadlineNext = owner.deadlineList = undefined;
    // An emptied list lets go of its timer; otherwise the timer may fire early and re-arm.
    if (!this.head && this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  private arm(): void {
    if (!this.head) return;
    this.timer = setTimeout(expire, Math.max(1, this.head.deadlineDue - Date.now()), this);
  }

  expire(): void {
    this.timer = undefined;
    const now = Date.now();
    let owner: DeadlineOwner | undefined;
    while ((owner = this.head) !== undefined && owner.deadlineDue <= now) {
      this.remove(owner);
      owner.onDeadline();
    }
    if (this.timer === undefined) this.arm();
  }
}

function expire(list: DeadlineList): void {
  list.expire();
}

const lists = new Map<number, DeadlineList>();

/** Sets (or resets) the owner's deadline `ms` from now. */
export function setDeadline(owner: DeadlineOwner, ms: number): void {
  clearDeadline(owner);
  let list = lists.get(ms);
  if (!list) lists.set(ms, (list = new DeadlineList(ms)));
  list.append(owner, Date.now() + ms);
}

/** Pushes the owner's deadline back to its full duration from now (like `timeout.refresh()`). */
export function refreshDeadline(owner: DeadlineOwner): void {
  const list = owner.deadlineList;
  if (!list) return;
  list.remove(owner);
  list.append(owner, Date.now() + list.ms);
}

export function clearDeadline(owner: DeadlineOwner): void {
  owner.deadlineList?.remove(owner);
}
