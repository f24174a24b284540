// Serving the operator API for `keel run`: the token (made at the first start, kept beside the
// journal), the Host names it answers to, the listening socket, and the dashboard URL, shown once
// on the terminal that started it (never in engine.log, the journal or a report).
import type { ApiAddress } from '../api-address';
import { apiTokenFile, loadOrCreateApiToken, pointerHome, publishApiToken } from './api-token';
import { buildOperatorApi, hostsServed, type OperatorTarget } from './operator-api';

export type ServedApi = { readonly url: string; close(): Promise<void> };

export async function serveOperatorApi(
  target: OperatorTarget,
  address: ApiAddress,
  journal: string,
  out: string,
): Promise<ServedApi> {
  const tokenFile = apiTokenFile(journal, out);
  const { token, created, tightened } = loadOrCreateApiToken(tokenFile);
  const app = buildOperatorApi(target, { token, hosts: hostsServed(address.host, address.port) });
  let listening: string;
  try {
    listening = await app.listen({ port: address.port, host: address.host });
  } catch (e) {
    await app.close().catch(() => undefined);
    throw new Error(listenRefusal(address, e), { cause: e });
  }
  const url = address.url === `http://${address.host}:${address.port}` ? address.url : listening;
  const published = publishApiToken(url, tokenFile);
  process.stderr.write(
    [
      `operator API on ${url}: every request needs its token (${created ? 'made now, ' : ''}kept in ${tokenFile}, mode 0600${tightened ? '; that file was readable by others: now only by you' : ''})`,
      `  dashboard: ${url}/?token=${token}`,
      published.ok
        ? `  keel status|halt|resume|cancel|flatten|order --api ${url} finds the token itself`
        : `  keel status|halt|resume|cancel|flatten|order --api ${url} need KEEL_API_TOKEN set to it (${pointerHome()} is not writable)`,
      '',
    ].join('\n'),
  );
  return {
    url,
    async close() {
      published.unpublish();
      await app.close();
    },
  };
}

/** Why the API could not listen, with the fix (not Node's stack). */
function listenRefusal(address: ApiAddress, e: unknown): string {
  const code = typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : String(e);
  const where = `${address.host}:${address.port}`;
  switch (code) {
    case 'EADDRINUSE':
      return `--api: ${where} is in use (another keel run --api, or another program, listens there): give another port`;
    case 'EACCES':
      return `--api: not allowed to listen on ${where} (ports below 1024 need privileges): give a port from 1024 to 65535`;
    case 'EADDRNOTAVAIL':
      return `--api: ${address.host} is not an address of this machine: give one it has, or 127.0.0.1`;
    default:
      return `--api: cannot listen on ${where} (${code})`;
  }
}
