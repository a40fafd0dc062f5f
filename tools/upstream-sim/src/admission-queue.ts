/**
 * Admission of chat requests, as a vLLM engine does it: at most `maxConcurrency` run, the rest wait in
 * FIFO order. The counts feed `/metrics` (num_requests_running / waiting, KV-cache usage), so they are
 * exact: a request that leaves while waiting is removed, and a slot is released exactly once.
 */

/** A running request's hold on the engine. */
export interface AdmissionSlot {
  /** Records generated tokens, which occupy KV cache until release. */
  addTokens(count: number): void;
  /** Frees the slot; further calls are ignored. */
  release(): void;
}

/** Load of one model, as exported in `/metrics`. */
export interface ModelLoad {
  running: number;
  waiting: number;
  /** Prompt plus generated tokens of the running requests. */
  kvTokens: number;
}

export interface AdmissionQueue {
  /** Waits for a slot; rejects with the signal's reason if it aborts first. */
  acquire(model: string, promptTokens: number, signal: AbortSignal): Promise<AdmissionSlot>;
  loadByModel(): ReadonlyMap<string, ModelLoad>;
  running(): number;
  waiting(): number;
}

interface Waiter {
  start: () => void;
}

/** Creates the queue; without `maxConcurrency` every request runs at once. */
export function createAdmissionQueue(maxConcurrency?: number): AdmissionQueue {
  const loads = new Map<string, ModelLoad>();
  const queue: Waiter[] = [];
  let running = 0;

  const loadOf = (model: string): ModelLoad => {
    let load = loads.get(model);
    if (!load) {
      load = { running: 0, waiting: 0, kvTokens: 0 };
      loads.set(model, load);
    }
    return load;
  };

  const admitNext = (): void => {
    while (queue.length > 0 && (maxConcurrency === undefined || running < maxConcurrency)) {
      queue.shift()?.start();
    }
  };

  const startSlot = (model: string, promptTokens: number): AdmissionSlot => {
    const load = loadOf(model);
    running += 1;
    load.running += 1;
    load.kvTokens += promptTokens;
    let held = promptTokens;
    let released = false;
    return {
      addTokens(count) {
        if (released) return;
        held += count;
        load.kvTokens += count;
      },
      release() {
        if (released) return;
        released = true;
        running -= 1;
        load.running -= 1;
        load.kvTokens -= held;
        admitNext();
      },
    };
  };

  return {
    acquire(model, promptTokens, signal) {
      if (signal.aborted) return Promise.reject(signal.reason);
      if (queue.length === 0 && (maxConcurrency === undefined || running < maxConcurrency)) {
        return Promise.resolve(startSlot(model, promptTokens));
      }
      const load = loadOf(model);
      load.waiting += 1;
      return new Promise<AdmissionSlot>((resolve, reject) => {
        const waiter: Waiter = {
          start: () => {
            signal.removeEventListener('abort', onAbort);
            load.waiting -= 1;
            resolve(startSlot(model, promptTokens));
          },
        };
        const onAbort = (): void => {
          const index = queue.indexOf(waiter);
          if (index !== -1) queue.splice(index, 1);
          load.waiting -= 1;
          reject(signal.reason);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        queue.push(waiter);
      });
    },
    loadByModel: () => loads,
    running: () => running,
    waiting: () => queue.length,
  };
}
