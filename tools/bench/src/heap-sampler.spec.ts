import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { usedHeapMiB, usedHeapMiBFrom } from './heap-sampler.ts';

describe('heap sampler', () => {
  it('reads the used heap from an exposition, with or without labels, and nothing when absent', () => {
    const text = '# HELP nodejs_heap_size_used_bytes x\n# TYPE nodejs_heap_size_used_bytes gauge\nnodejs_heap_size_used_bytes 52428800\nnodejs_heap_size_total_bytes 1\n';
    expect(usedHeapMiBFrom(text)).toBe(50);
    expect(usedHeapMiBFrom('nodejs_heap_size_used_bytes{service="router"} 1048576\n')).toBe(1);
    expect(usedHeapMiBFrom('nodejs_heap_size_total_bytes 1048576\n')).toBeUndefined();
  });

  it('reads a live /metrics endpoint and answers nothing for one that is gone', async () => {
    const server = createServer((req, res) => res.end(req.url === '/metrics' ? 'nodejs_heap_size_used_bytes 3145728\n' : 'nope'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      expect(await usedHeapMiB(`http://127.0.0.1:${port}`)).toBe(3);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(await usedHeapMiB(`http://127.0.0.1:${port}/metrics`)).toBeUndefined();
  });
});
