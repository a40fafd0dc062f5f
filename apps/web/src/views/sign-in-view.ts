import { el, replaceChildren } from '../ui/el.ts';

/**
 * The sign-in form: one API key field. `submit` checks the key with the gateway and resolves to an
 * error message to show, or undefined when signed in.
 */
export function mountSignIn(container: HTMLElement, submit: (key: string) => Promise<string | undefined>, initialError?: string): void {
  const error = el('p', { class: 'error', role: 'alert', id: 'sign-in-error' }, initialError ?? '');
  const input = el('input', {
    id: 'api-key',
    name: 'api-key',
    type: 'password',
    autocomplete: 'off',
    spellcheck: 'false',
    required: true,
    'aria-describedby': 'sign-in-help sign-in-error',
  });
  const button = el('button', { type: 'submit' }, 'Sign in');
  const form = el(
    'form',
    { class: 'sign-in', 'aria-labelledby': 'sign-in-title' },
    el('h1', { id: 'sign-in-title' }, 'Sign in to Sophia'),
    el('label', { for: 'api-key' }, 'API key'),
    input,
    el('p', { id: 'sign-in-help', class: 'help' }, 'The key stays in this tab (sessionStorage) and is sent only to this gateway. Scripts may pass it as #key=… in the address.'),
    button,
    error,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const key = input.value.trim();
    if (!key) return;
    button.disabled = true;
    error.textContent = '';
    void submit(key).then((message) => {
      button.disabled = false;
      if (message) error.textContent = message;
    });
  });
  replaceChildren(container, form);
  input.focus();
}
