/**
 * Resolves at the first SIGINT or SIGTERM, then stops listening: long-running commands
 * (`ployd up`, `ployd server`) await it and shut down in order instead of dying mid-write.
 */
export function waitForSignal(): Promise<void> {
  return new Promise<void>((res) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      res();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
