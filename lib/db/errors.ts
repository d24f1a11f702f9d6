import { err, type Result } from '../result';

/**
 * What the data layer refuses, by kind, so that callers choose a response by
 * what happened and never by the wording: a missing record, invalid input, a
 * write based on an old version, or a write to a run that has ended.
 */
export type DataErrorKind = 'not-found' | 'invalid' | 'stale' | 'ended';

export interface DataError {
  kind: DataErrorKind;
  message: string;
  /** For `stale`: the version now stored. */
  currentVersion?: number;
}

export type DataResult<T> = Result<T, DataError>;

export const notFound = (message: string) => err<DataError>({ kind: 'not-found', message });
export const invalid = (message: string) => err<DataError>({ kind: 'invalid', message });
export const stale = (message: string, currentVersion: number) => err<DataError>({ kind: 'stale', message, currentVersion });
export const ended = (message: string) => err<DataError>({ kind: 'ended', message });
