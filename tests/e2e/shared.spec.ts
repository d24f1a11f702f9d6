import { expect, test, type Browser, type Page } from '@playwright/test';
import { SHARED_PORT } from '../../playwright.config';

/**
 * Shared mode as two people use it: each signs up in their own browser, sees
 * only their own projects, and cannot open, export, train or change the
 * other's, by page or by API. Pages carry the security headers, and another
 * site cannot post to the API.
 */
const BASE = `http://127.0.0.1:${SHARED_PORT}`;
test.use({ baseURL: BASE });

async function signUp(browser: Browser, name: string): Promise<Page> {
  const context = await browser.newContext({ baseURL: BASE });
  const page = await context.newPage();
  await page.goto('/');
  await expect(page).toHaveURL(/\/sign-in$/);
  await page.getByRole('button', { name: 'New here? Create an account' }).click();
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Email').fill(`${name.toLowerCase()}@example.com`);
  await page.getByLabel('Password').fill('short');
  await page.getByRole('button', { name: 'Create account' }).click();
  // The browser's own check (minlength) or the server's: either way, no account with a 5-character password.
  await expect(page).toHaveURL(/\/sign-in$/);
  await page.getByLabel('Password').fill(`${name}-has-a-long-password`);
  await page.getByRole('button', { name: 'Create account' }).click();
  // Sign-up signs nobody in (its answer must not tell a registered email from a new one): sign in next, the email kept.
  await expect(page.getByRole('status')).toContainText('sign in with your email and password');
  await expect(page.getByLabel('Email')).toHaveValue(`${name.toLowerCase()}@example.com`);
  await page.getByLabel('Password').fill(`${name}-has-a-long-password`);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.locator('.account')).toContainText(name);
  return page;
}

test('two users on a shared server see and touch only their own work', async ({ browser, request }) => {
  // Nobody signed in: the pages ask for sign-in, the API answers 401.
  expect((await request.get('/api/projects/anything/runs')).status()).toBe(401);

  const alice = await signUp(browser, 'Alice');
  await alice.getByLabel('Project name').fill('Alice GAN');
  await alice.getByLabel('Template').selectOption('gan');
  await alice.getByRole('button', { name: 'Create' }).click();
  await expect(alice).toHaveURL(/\/projects\/[^/]+$/);
  const projectId = alice.url().split('/').pop()!;
  expect((await alice.request.get(`/api/projects/${projectId}/export`)).status()).toBe(200);

  const bob = await signUp(browser, 'Bob');
  await expect(bob.getByText('No projects yet.')).toBeVisible();
  const page = await bob.goto(`/projects/${projectId}`);
  expect(page?.status()).toBe(404);
  expect((await bob.request.get(`/api/projects/${projectId}/export`)).status()).toBe(404);
  expect((await bob.request.get(`/api/projects/${projectId}/runs`)).status()).toBe(404);
  const run = await bob.request.post(`/api/projects/${projectId}/runs`, {
    data: { graph: {}, settings: { batchSize: 1, iterations: 1, seed: 0, sampleEvery: 1 }, backend: 'cpu' },
    headers: { Origin: BASE },
  });
  expect([400, 404]).toContain(run.status());

  // Alice still has it, unchanged.
  await alice.goto('/');
  await expect(alice.locator('tr[data-project="Alice GAN"]')).toBeVisible();

  // Another site cannot post to the API with Bob's cookies.
  const forged = await bob.request.post(`/api/runs/anything/interrupt`, { headers: { Origin: 'https://evil.example' } });
  expect(forged.status()).toBe(403);

  // Signing out ends the session.
  await bob.goto('/');
  await bob.getByRole('button', { name: 'Sign out' }).click();
  await expect(bob).toHaveURL(/\/sign-in$/);
  expect((await bob.request.get(`/api/projects/${projectId}/runs`)).status()).toBe(401);
});

test('pages carry a nonce-based CSP and the anti-sniffing and anti-framing headers', async ({ request }) => {
  const response = await request.get('/sign-in');
  const headers = response.headers();
  expect(headers['content-security-policy']).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
  expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['x-frame-options']).toBe('DENY');
  expect(headers['referrer-policy']).toBe('same-origin');
  expect(headers['cross-origin-embedder-policy']).toBe('require-corp');
  // A malformed URL is a 400, not a 500.
  expect((await request.get('/projects/%C0')).status()).toBe(400);
});
