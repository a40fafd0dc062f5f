import { Code, ConnectError, type Transport } from '@connectrpc/connect';
import { canReadDashboards, hasScope, loadAccess, type Access } from './rpc/access.ts';
import { DASHBOARDS, resolveRoute, type Route } from './routes.ts';
import type { ApiKeySession } from './session/api-key-session.ts';
import { el, replaceChildren } from './ui/el.ts';
import { chatView } from './views/chat-view.ts';
import { mountSignIn } from './views/sign-in-view.ts';
import type { View } from './views/view.ts';

/** Options for {@link startShell}. */
export interface ShellOptions {
  readonly root: HTMLElement;
  readonly transport: Transport;
  readonly session: ApiKeySession;
}

function messageView(title: string, text: string): View {
  return {
    title,
    mount(container) {
      replaceChildren(container, el('h1', {}, title), el('p', {}, text));
      return () => undefined;
    },
  };
}

async function viewFor(route: Route, access: Access, navigate: (path: string) => void): Promise<View> {
  switch (route.kind) {
    case 'home':
      if (!hasScope(access, 'chat') && canReadDashboards(access)) return redirect('/dashboards/executive', navigate);
      return hasScope(access, 'chat') ? chatView : messageView('Not allowed', 'This API key may neither chat nor read the dashboards.');
    case 'chat':
      return hasScope(access, 'chat') ? chatView : messageView('Not allowed', 'This API key may not chat (it needs the chat scope).');
    case 'dashboard': {
      if (!canReadDashboards(access)) return messageView('Not allowed', 'This API key may chat but not read the dashboards (it needs the ops:read scope).');
      // Dashboards and the chart library load only when a dashboard is opened.
      const { dashboardView } = await import('./dashboards/dashboard-view.ts');
      return dashboardView(route.name);
    }
    case 'not-found':
      return messageView('Not found', `Nothing lives at ${route.path}.`);
  }
}

function redirect(path: string, navigate: (path: string) => void): View {
  return {
    title: 'Redirecting',
    mount() {
      history.replaceState(null, '', path);
      queueMicrotask(() => navigate(path));
      return () => undefined;
    },
  };
}

function signInMessage(err: unknown): string {
  const e = ConnectError.from(err);
  if (e.code === Code.Unauthenticated) return 'The gateway did not accept this key.';
  return `Could not reach the gateway: ${e.rawMessage}`;
}

/**
 * The page frame (skip link, navigation, main) and the client-side router: signs in first when no key
 * is kept, then renders the view for the address, tearing the previous one down (its streams and timers).
 */
export function startShell(options: ShellOptions): void {
  const { root, transport, session } = options;
  const main = el('main', { id: 'main', tabindex: -1 });
  const nav = el('nav', { 'aria-label': 'Main' });
  const header = el('header', { class: 'top' }, el('a', { class: 'brand', href: '/chat', 'data-link': true }, 'Sophia'), nav);
  replaceChildren(root, el('a', { class: 'skip', href: '#main' }, 'Skip to content'), header, main);
  let access: Access | undefined;
  let dispose: () => void = () => undefined;
  let generation = 0;

  const navigate = (path: string): void => {
    if (path !== location.pathname) history.pushState(null, '', path);
    void render();
  };

  function renderNav(a: Access | undefined): void {
    const link = (href: string, text: string): HTMLElement => {
      const current = location.pathname === href || (href === '/chat' && location.pathname === '/');
      return el('a', { href, 'data-link': true, ...(current ? { 'aria-current': 'page' } : {}) }, text);
    };
    const links: HTMLElement[] = [];
    if (a) {
      if (hasScope(a, 'chat')) links.push(link('/chat', 'Chat'));
      if (canReadDashboards(a)) for (const d of DASHBOARDS) links.push(link(`/dashboards/${d}`, d[0]!.toUpperCase() + d.slice(1)));
      const out = el('button', { type: 'button', class: 'link', id: 'sign-out' }, 'Sign out');
      out.addEventListener('click', () => {
        session.clear();
        sessionStorage.clear();
        access = undefined;
        void render();
      });
      links.push(out);
    }
    replaceChildren(nav, ...links);
  }

  let signInError: string | undefined;

  function showSignIn(): void {
    renderNav(undefined);
    document.title = 'Sign in · Sophia';
    mountSignIn(
      main,
      async (key) => {
        session.set(key);
        try {
          access = await loadAccess(transport);
          signInError = undefined;
          void render();
          return undefined;
        } catch (err) {
          session.clear();
          return signInMessage(err);
        }
      },
      signInError,
    );
  }

  async function render(): Promise<void> {
    const mine = ++generation;
    dispose();
    dispose = () => undefined;
    if (session.get() && !access) {
      try {
        access = await loadAccess(transport);
      } catch (err) {
        session.clear();
        signInError = signInMessage(err);
      }
      if (mine !== generation) return;
    }
    if (!session.get() || !access) return showSignIn();
    const view = await viewFor(resolveRoute(location.pathname), access, navigate);
    if (mine !== generation) return;
    renderNav(access);
    document.title = `${view.title} · Sophia`;
    dispose = view.mount(main, { transport, session, access, navigate });
  }

  document.addEventListener('click', (event) => {
    const a = (event.target as Element | null)?.closest?.('a[data-link]');
    if (!(a instanceof HTMLAnchorElement) || event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    navigate(a.pathname);
  });
  window.addEventListener('popstate', () => void render());
  void render();
}
