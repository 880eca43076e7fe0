/**
 * When each replica started, was killed or exited: the delivery board shows
 * it live, and the graders' ledger says which replica died before a user went
 * without an email. Every fleet of this process writes into one journal.
 */
import type { ManagedProcess } from './managed-process';

export type LifecycleWhat = 'started' | 'killed' | 'exited';

export interface LifecycleEvent {
  replica: string;
  what: LifecycleWhat;
  /** Milliseconds since the epoch. */
  at: number;
}

const KEEP = 1_000;
const journal: LifecycleEvent[] = [];
const listeners = new Set<(event: LifecycleEvent) => void>();

export function recordLifecycle(replica: string, what: LifecycleWhat, at = Date.now()): void {
  const event = { replica, what, at };
  journal.push(event);
  if (journal.length > KEEP) journal.shift();
  for (const listener of listeners) listener(event);
}

/** The events recorded since `since` (ms since the epoch), oldest first. */
export function lifecycleSince(since = 0): LifecycleEvent[] {
  return journal.filter((e) => e.at >= since);
}

/** Calls `listener` on each new event; returns how to stop. */
export function onLifecycle(listener: (event: LifecycleEvent) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Records a replica's start now, and its end (killed by SIGKILL, or exited) when it comes. */
export function watchReplica(replica: string, process: ManagedProcess): void {
  recordLifecycle(replica, 'started');
  void process.exited.then(() =>
    recordLifecycle(replica, process.describeExit() === 'signal SIGKILL' ? 'killed' : 'exited'),
  );
}
