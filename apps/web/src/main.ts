import { startShell } from './app-shell.ts';
import { createGatewayTransport } from './rpc/transport.ts';
import { createApiKeySession, keyFromFragment } from './session/api-key-session.ts';
import './styles.css';

const session = createApiKeySession(sessionStorage);
// A key in the fragment (#key=…) signs in and leaves the address bar (and history) at once.
const fromFragment = keyFromFragment(location.hash);
if (fromFragment.key) {
  session.set(fromFragment.key);
  history.replaceState(null, '', `${location.pathname}${location.search}${fromFragment.rest}`);
}
const root = document.getElementById('app');
if (root) startShell({ root, transport: createGatewayTransport(location.origin, session.get), session });
