/**
 * Reads the load figures the supervisor needs (vLLM's `vllm:num_requests_running` and
 * `vllm:num_requests_waiting`) out of Prometheus text. Summed across label sets because vLLM
 * labels each series by model name and may report several. Undefined when neither is present, so
 * "no metrics" is never mistaken for "idle".
 */
export function parseLoad(text: string): { running: number; waiting: number } | undefined {
  let running: number | undefined;
  let waiting: number | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line === '') continue;
    const m = /^(vllm:num_requests_(?:running|waiting))(?:\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const v = Number(m[2]);
    if (!Number.isFinite(v)) continue;
    if (m[1] === 'vllm:num_requests_running') running = (running ?? 0) + v;
    else waiting = (waiting ?? 0) + v;
  }
  if (running === undefined && waiting === undefined) return undefined;
  return { running: running ?? 0, waiting: waiting ?? 0 };
}
