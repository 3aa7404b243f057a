// Timers that honour delays over 2^31-1 ms (setTimeout fires such delays at
// once), and deadlines in the monotonic clock.

const _MAX_DELAY = 2 ** 31 - 1;

/** A cancellable timer. */
export interface _Timer {
  /** Stops the timer; calling it again does nothing. */
  cancel(): void;
}

/**
 * Calls `fn` once `ms` milliseconds have passed, however large `ms` is.
 *
 * @param ms The delay in milliseconds (finite, >= 0).
 * @param fn What to call.
 * @returns A handle to cancel it.
 */
export function _setTimer(ms: number, fn: () => void): _Timer {
  const end = performance.now() + ms;
  let id: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    const left = end - performance.now();
    if (left <= 0) {
      id = undefined;
      fn();
      return;
    }
    id = setTimeout(arm, Math.min(Math.ceil(left), _MAX_DELAY));
  };
  id = setTimeout(arm, Math.min(Math.ceil(Math.max(ms, 0)), _MAX_DELAY));
  return {
    cancel() {
      if (id !== undefined) clearTimeout(id);
      id = undefined;
    },
  };
}
