/** One turn as the browser keeps it. */
export interface Turn {
  readonly role: 'user' | 'assistant';
  content: string;
  /** Assistant turns: how the answer ended ("stop", "length", "stopped by you", an error). */
  status?: string;
  /** An operator command or its answer: shown, never sent to a model as conversation. */
  command?: boolean;
}

const STORAGE_KEY = 'sophia.conversation';

/**
 * The conversation lives only in this tab (sessionStorage): the gateway keeps no chat history, every
 * request carries the turns so far.
 */
export function loadConversation(storage: Storage): Turn[] {
  try {
    const raw: unknown = JSON.parse(storage.getItem(STORAGE_KEY) ?? '[]');
    if (!Array.isArray(raw)) return [];
    return raw.filter((t): t is Turn => typeof t === 'object' && t !== null && (t.role === 'user' || t.role === 'assistant') && typeof t.content === 'string');
  } catch {
    return [];
  }
}

/** Saves the conversation (see {@link loadConversation}). */
export function saveConversation(storage: Storage, turns: readonly Turn[]): void {
  storage.setItem(STORAGE_KEY, JSON.stringify(turns));
}

/** Forgets the conversation. */
export function clearConversation(storage: Storage): void {
  storage.removeItem(STORAGE_KEY);
}
