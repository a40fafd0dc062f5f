import { startMesh } from '@sophia/dev';

/**
 * Starts the mesh for an external load tool and prints one JSON line with the addresses it
 * needs (`{"event":"ready","gateway","router","apiKey"}`); SIGTERM stops everything.
 */
const mesh = await startMesh({ env: process.env, gatewayPort: Number(process.env['SOPHIA_GATEWAY_PORT'] ?? 0) });
const gateway = new URL(mesh.gatewayUrl).host;
process.stdout.write(`${JSON.stringify({ event: 'ready', gateway, router: mesh.services['router']!.ready['grpc'], apiKey: mesh.apiKey })}\n`);
const stop = (): void => {
  mesh.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
