// The PloyD SDK: ModelServing, AIGateway, ModelRegistry, Security, Monitoring (seed 001).
export * from './types.ts';
export * from './schemas.ts';
