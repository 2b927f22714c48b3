/**
 * Where time comes from: the current time in epoch milliseconds. The app takes one clock
 * (`AppDeps.clock`) and passes it explicitly to every part that decides by time — token and
 * session lifetimes, lockouts, one-time links, emergency access — so a test of a time limit moves
 * a clock of its own instead of sleeping, and never depends on how busy the machine is.
 */
export type Clock = () => number;

/** The real time. */
export const systemClock: Clock = () => Date.now();

/** A clock for tests: starts at real time and moves only when told. */
export interface ManualClock {
  now: Clock;
  /** Moves the time forward by `ms`. */
  advance(ms: number): void;
}

export function manualClock(start: number = Date.now()): ManualClock {
  let time = start;
  return {
    now: () => time,
    advance(ms) {
      time += ms;
    },
  };
}
