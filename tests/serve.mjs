#!/usr/bin/env node
// A static file server for the explorer (no server-side code: any static server works).
//   node tests/serve.mjs [--port 8000] [--root .] [--csp]
// --csp sends the strict Content-Security-Policy that embeds must work under.
// Also importable: `serve({port, root, csp, pkg})` resolves to {url, close}; `pkg` serves
// another build of www/pkg (the tests' fault-injection bundle).
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm', '.json': 'application/json', '.png': 'image/png',
  '.svg': 'image/svg+xml', '.ico': 'image/x-icon', '.txt': 'text/plain; charset=utf-8',
};
export const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'";

export function serve({ port = 0, root = '.', csp = false, host = '127.0.0.1', pkg = null } = {}) {
  const base = resolve(root);
  const pkgBase = pkg && resolve(pkg);
  const server = createServer(async (req, res) => {
    try {
      const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      const [dir, rel] = pkgBase && path.startsWith('/www/pkg/') ? [pkgBase, path.slice(8)] : [base, path];
      let file = normalize(join(dir, rel));
      if (!file.startsWith(dir)) { res.writeHead(403).end(); return; }
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      const headers = { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' };
      if (csp) headers['content-security-policy'] = CSP;
      res.writeHead(200, headers).end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  return new Promise((ok) => server.listen(port, host, () => {
    ok({ url: `http://${host}:${server.address().port}/`, close: () => new Promise((r) => server.close(r)) });
  }));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (k, d) => { const i = process.argv.indexOf(k); return i > 0 ? process.argv[i + 1] : d; };
  const { url } = await serve({ port: Number(arg('--port', 8000)), root: arg('--root', '.'), csp: process.argv.includes('--csp') });
  console.log(`Divergence Explorer: ${url}  (Ctrl-C stops)`);
}
