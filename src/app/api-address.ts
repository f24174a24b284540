// The operator API's address as every command takes it: a bare port (7070, meaning
// http://127.0.0.1:7070) or a URL. `keel run --api` serves on it; the other commands talk to it.

export type ApiAddress = {
  /** Where the commands send to: "http://127.0.0.1:7070". */
  readonly url: string;
  readonly host: string;
  readonly port: number;
};

const portMax = 65_535;

export function parseApiAddress(
  text: string,
): { ok: true; address: ApiAddress } | { ok: false; error: string } {
  const wrong = (why: string) => ({
    ok: false as const,
    error: `--api takes a port (7070, meaning http://127.0.0.1:7070) or a URL (http://127.0.0.1:7070), got '${text}': ${why}`,
  });
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) {
    const port = Number(trimmed);
    if (!(port >= 1 && port <= portMax)) return wrong(`a port is 1-${portMax}`);
    return { ok: true, address: { url: `http://127.0.0.1:${port}`, host: '127.0.0.1', port } };
  }
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return wrong('neither a port nor a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return wrong('the URL must be http:// or https://');
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '')
    return wrong('give the engine address only, without a path');
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  // URL keeps IPv6 hosts in brackets; listen() wants them bare.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { ok: true, address: { url: `${url.protocol}//${url.host}`, host, port } };
}

/** The operator API has no login: keel serves it on this machine only. */
export function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '::1';
}
