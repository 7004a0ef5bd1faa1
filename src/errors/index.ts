export { ERROR_CATALOGUE, type ErrorCode } from './catalogue.ts';
export {
  PloydError,
  isPloydError,
  httpStatusOf,
  exitCodeOf,
  toPloydError,
  type ErrorDetails,
} from './ployd-error.ts';
export {
  type Diagnostic,
  type Severity,
  hasErrors,
  formatDiagnostic,
  formatLocation,
  sortDiagnostics,
} from './diagnostic.ts';
