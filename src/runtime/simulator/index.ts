// A vLLM-compatible model server that runs no model: OpenAI endpoints, streaming, latency and
// capacity simulation, vLLM metrics and failure injection, for tests, demos and benchmarks.
export { startSimulator, createSimulatorServer, embeddingVector, type RunningSimulator, type SimulatorServer } from './server.ts';
export {
  DEFAULT_SETTINGS,
  FAILURE_TYPES,
  SimulatorConfigPatch,
  SimulatorRuntimeConfig,
  resolveSettings,
  type FailureType,
  type SimulatorOptions,
  type SimulatorSettings,
} from './config.ts';
export { SimEngine, MAX_TOKENS_PER_TICK, type GenerationSpec, type GenerationSink, type GenerationHandle } from './engine.ts';
export { countTokens, tokenize } from './tokens.ts';
export { loadFactor, sampleInterTokenLatency, sampleTimeToFirstToken, type LatencyConfig } from './latency.ts';
export { createRng, hashString, type Rng } from './prng.ts';
