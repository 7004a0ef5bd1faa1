import { parsePrometheusSamples } from '../../src/runtime/frameworks/index.ts';

/** One sample value of a metric from /metrics text, selected by a label substring. */
export async function metric(url: string, name: string, labelMatch = ''): Promise<number | undefined> {
  const text = await (await fetch(`${url}/metrics`)).text();
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) && line.includes(labelMatch)) return Number(line.slice(line.lastIndexOf(' ') + 1));
    if (line.startsWith(`${name} `)) return Number(line.slice(name.length + 1));
  }
  return parsePrometheusSamples(text).get(name)?.[0];
}

/** Polls until `check` holds; fails with the last seen value after `ms`. */
export async function eventually<T>(read: () => Promise<T>, check: (v: T) => boolean, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: T = await read();
  while (!check(last)) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms; last value ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 10));
    last = await read();
  }
  return last;
}

export function chatBody(model: string, content: string, extra: Record<string, unknown> = {}): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content }], ...extra }),
  };
}
