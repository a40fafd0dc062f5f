import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { Role, type RoutingDecision } from '@sophia/contracts/common';
import { ChatService } from '@sophia/contracts/gateway';
import { OperatorService } from '@sophia/contracts/ops';
import { operatorAnswerNode } from '../chat/operator-answer.ts';
import { hasScope } from '../rpc/access.ts';
import { decisionFacts } from '../chat/decision-summary.ts';
import { loadConversation, saveConversation, clearConversation, type Turn } from '../chat/conversation-store.ts';
import { renderMarkdown } from '../chat/render-markdown.ts';
import { el, replaceChildren } from '../ui/el.ts';
import type { AppContext, View } from './view.ts';

/** A rendered assistant answer that the stream keeps updating. */
interface AnswerNode {
  readonly root: HTMLElement;
  setText(text: string): void;
  setDecision(decision: RoutingDecision, final: boolean): void;
  setState(state: 'streaming' | 'done' | 'stopped' | 'error', note?: string): void;
  /** Shows an operator command's answer (result, plan card, question) instead of model text. */
  setOperator(node: HTMLElement): void;
}

function answerNode(): AnswerNode {
  const body = el('div', { class: 'answer-body' });
  const card = el('dl', { class: 'decision', 'aria-label': 'Routing decision' });
  const note = el('p', { class: 'answer-note' });
  const who = el('span', { class: 'who' }, 'Sophia');
  const root = el('li', { class: 'turn assistant', 'data-state': 'streaming' }, who, body, note, card);
  let pending: string | undefined;
  let frame = 0;
  return {
    root,
    // Markdown is re-rendered at most once per frame however fast tokens arrive.
    setText(text) {
      pending = text;
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        if (pending !== undefined) body.innerHTML = renderMarkdown(pending);
      });
    },
    setDecision(decision, final) {
      replaceChildren(card, ...decisionFacts(decision, final).flatMap((f) => [el('dt', {}, f.label), el('dd', {}, f.value)]));
    },
    setState(state, text) {
      root.dataset['state'] = state;
      note.textContent = text ?? '';
    },
    setOperator(node) {
      root.classList.add('command');
      who.textContent = 'Sophia (operator command)';
      card.remove();
      replaceChildren(body, node);
    },
  };
}

function userNode(text: string): HTMLElement {
  return el('li', { class: 'turn user' }, el('span', { class: 'who' }, 'You'), el('p', { class: 'user-text' }, text));
}

function errorText(err: unknown): string {
  const e = ConnectError.from(err);
  return `${Code[e.code] ?? 'error'}: ${e.rawMessage}`;
}

/**
 * `/chat`: a conversation streamed over ChatService.CompleteStream — tokens appear as they arrive, the
 * routing decision shows under each answer, Stop aborts the call (the gateway cancels it upstream).
 */
export const chatView: View = {
  title: 'Chat',
  mount(container: HTMLElement, ctx: AppContext) {
    const client = createClient(ChatService, ctx.transport);
    const ops = createClient(OperatorService, ctx.transport);
    // Keys with an operator scope ask the gateway to read each message as an operator command first.
    const operatorCommands = hasScope(ctx.access, 'ops:read');
    const canWrite = hasScope(ctx.access, 'ops:write');
    const storage = sessionStorage;
    const turns: Turn[] = loadConversation(storage);
    let running: AbortController | undefined;

    const log = el('ol', { class: 'conversation' });
    const model = el('select', { id: 'chat-model', name: 'model' }, el('option', { value: 'auto' }, 'auto (let the router choose)'));
    for (const m of ctx.access.models.filter((m) => m !== 'auto')) model.append(el('option', { value: m }, m));
    const input = el('textarea', { id: 'chat-input', name: 'message', rows: 3, required: true, placeholder: 'Ask anything…' });
    const send = el('button', { type: 'submit', id: 'chat-send' }, 'Send');
    const stop = el('button', { type: 'button', id: 'chat-stop', disabled: true }, 'Stop');
    const clear = el('button', { type: 'button', id: 'chat-clear', class: 'secondary' }, 'New conversation');
    const form = el(
      'form',
      { class: 'composer', 'aria-label': 'Send a message' },
      el('label', { for: 'chat-input', class: 'visually-hidden' }, 'Message'),
      input,
      el('div', { class: 'composer-row' }, el('label', { for: 'chat-model' }, 'Model'), model, send, stop, clear),
    );

    for (const t of turns) {
      if (t.role === 'user') log.append(userNode(t.content));
      else {
        const a = answerNode();
        a.setText(t.content);
        a.setState('done', t.status);
        log.append(a.root);
      }
    }

    const setRunning = (on: boolean): void => {
      send.disabled = on;
      stop.disabled = !on;
    };

    async function ask(text: string): Promise<void> {
      const asked: Turn = { role: 'user', content: text };
      turns.push(asked);
      log.append(userNode(text));
      const turn: Turn = { role: 'assistant', content: '' };
      const answer = answerNode();
      log.append(answer.root);
      answer.root.scrollIntoView({ block: 'end' });
      const controller = new AbortController();
      running = controller;
      setRunning(true);
      const messages = turns
        .filter((t) => t !== turn && !t.command)
        .map((t) => ({ role: t.role === 'user' ? Role.USER : Role.ASSISTANT, content: t.content }));
      turns.push(turn);
      try {
        const stream = client.completeStream({ input: { model: model.value, messages, operatorCommands } }, { signal: controller.signal });
        for await (const res of stream) {
          const ev = res.event;
          if (ev.case === 'decision') answer.setDecision(ev.value, false);
          else if (ev.case === 'delta') {
            // After an operator answer the gateway also sends its text form; the card already shows it.
            if (turn.command) continue;
            turn.content += ev.value;
            answer.setText(turn.content);
          } else if (ev.case === 'operator') {
            const node = operatorAnswerNode(ev.value, ops, canWrite);
            if (node) answer.setOperator(node);
            // A command and its answer stay on screen but are never sent to a model as conversation.
            asked.command = true;
            turn.command = true;
            turn.content = ev.value.outcome.case === 'plan' || ev.value.outcome.case === 'result' ? ev.value.outcome.value.summary : (ev.value.command?.intent ?? 'operator command');
          } else if (ev.case === 'done') {
            if (ev.value.decision) answer.setDecision(ev.value.decision, true);
            turn.status = ev.value.finishReason === 'length' ? 'Cut at the token limit.' : '';
            answer.setState('done', turn.status);
          }
        }
      } catch (err) {
        if (controller.signal.aborted) {
          turn.status = 'Stopped by you.';
          answer.setState('stopped', turn.status);
        } else {
          turn.status = errorText(err);
          answer.setState('error', turn.status);
        }
      } finally {
        if (!turn.command) answer.setText(turn.content);
        if (running === controller) running = undefined;
        setRunning(false);
        saveConversation(storage, turns);
      }
    }

    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const text = input.value.trim();
      if (!text || running) return;
      input.value = '';
      void ask(text);
    });
    input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    stop.addEventListener('click', () => running?.abort());
    clear.addEventListener('click', () => {
      running?.abort();
      turns.length = 0;
      clearConversation(storage);
      log.replaceChildren();
    });

    replaceChildren(container, el('h1', { class: 'visually-hidden' }, 'Chat'), el('section', { role: 'log', 'aria-label': 'Conversation' }, log), form);
    input.focus();
    return () => running?.abort();
  },
};
