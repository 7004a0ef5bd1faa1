// The public face of the `ployd` package: what users import in their own scripts.
export * from './errors/index.ts';
