export { BalancerState, BackendState, ReplicaState, type ServerLoad } from './state.ts';
export { pickBackend, nextFallback, pickReplica, recordReplicaFailure, recordReplicaSuccess, hasOtherHealthyReplica, recordLatency, replicaLoadScore, LOAD_STALE_MS, type PickContext } from './select.ts';
export { smoothWeightedPick } from './wrr.ts';
export { rendezvous, fnv1a } from './hash.ts';
