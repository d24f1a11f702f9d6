/**
 * How this server is run. Local (the default): one user on this machine, no
 * accounts, the server listens on loopback only (bind.ts) and answers its
 * loopback names only (hosts.ts). Shared
 * (NETLOOM_MODE=shared): accounts with email and password, every project
 * owned by its user.
 */
export type ServerMode = 'local' | 'shared';

export class ConfigError extends Error {}

/** Settings by name (process.env, or a test's own). */
export type Env = Readonly<Record<string, string | undefined>>;

export function serverMode(env: Env = process.env): ServerMode {
  const mode = env.NETLOOM_MODE || 'local';
  if (mode !== 'local' && mode !== 'shared') throw new ConfigError(`NETLOOM_MODE must be "local" or "shared", got "${mode}"`);
  return mode;
}

/** Shared mode's settings, checked once: the session-signing secret is required and long. */
export function sharedSettings(env: NodeJS.ProcessEnv = process.env) {
  const secret = env.BETTER_AUTH_SECRET ?? '';
  if (secret.length < 32) {
    throw new ConfigError('NETLOOM_MODE=shared needs BETTER_AUTH_SECRET: at least 32 random characters (e.g. `openssl rand -base64 32`), kept the same across restarts');
  }
  const signUp = env.NETLOOM_SIGNUP || 'open';
  if (signUp !== 'open' && signUp !== 'closed') throw new ConfigError(`NETLOOM_SIGNUP must be "open" or "closed", got "${signUp}"`);
  return { secret, baseURL: env.BETTER_AUTH_URL || undefined, signUp } as const;
}
