import { err, type Result } from '../result';

/**
 * What the data layer refuses, by kind, so that callers choose a response by
 * what happened and never by the wording: a missing record, invalid input, a
 * write based on an old version, a write to a run that has ended, or a
 * request from nobody signed in (shared mode).
 */
export type DataErrorKind = 'not-found' | 'invalid' | 'stale' | 'ended' | 'signed-out';

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
export const signedOut = (message: string) => err<DataError>({ kind: 'signed-out', message });

/** What a request from nobody signed in gets (shared mode). */
export const SIGNED_OUT_MESSAGE = 'Not signed in (or the session ended): sign in again, in another tab to keep this page, then retry';
export const SIGNED_OUT = signedOut(SIGNED_OUT_MESSAGE);
