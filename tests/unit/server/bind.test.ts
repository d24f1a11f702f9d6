import { describe, expect, it } from 'vitest';
import { isLoopback, localAddressRefusal } from '@/lib/auth/bind';

/** Which addresses local mode may listen on (tests/e2e/bind.spec.ts starts the real server every way). */
describe('local mode addresses', () => {
  it('are loopback ones: 127.0.0.0/8, ::1 (also IPv4-mapped and bracketed) and localhost', () => {
    for (const address of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', '::ffff:127.0.0.1', 'localhost', 'LOCALHOST']) expect(isLoopback(address), address).toBe(true);
    for (const address of ['0.0.0.0', '::', '', '192.168.1.5', '10.0.0.1', '::ffff:10.0.0.1', 'localhost.evil.example', '127.0.0.1.nip.io', 'fe80::1']) expect(isLoopback(address), address).toBe(false);
  });

  it('refuses any other with the reason and the way to serve others', () => {
    expect(localAddressRefusal('127.0.0.1', 'x')).toBeUndefined();
    expect(localAddressRefusal('::', 'This server listens on')).toMatch(/^This server listens on :: \(every interface\): local mode has no accounts.*NETLOOM_MODE=shared/);
    expect(localAddressRefusal('', 'Asked to listen on')).toMatch(/^Asked to listen on every address \(every interface\)/);
  });
});
