import { memoryStateDatabase } from '@sophia/state-store/testing';
import { promptRepeatStoreContract } from './prompt-repeat-store-contract.ts';
import { createSqlitePromptRepeatStore, PROMPT_REPEAT_STORE_SCHEMA } from './sqlite-prompt-repeat-store.ts';
import type { PromptRepeatStore } from './prompt-repeat-store.ts';

describe('sqlite prompt repeat store', () => {
  let store: PromptRepeatStore;
  let close: () => void;
  beforeEach(() => {
    const state = memoryStateDatabase(PROMPT_REPEAT_STORE_SCHEMA);
    store = createSqlitePromptRepeatStore(state.db);
    close = () => state.close();
  });
  afterEach(() => close());
  promptRepeatStoreContract(() => store);
});
