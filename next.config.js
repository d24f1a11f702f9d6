/** @type {import('next').NextConfig} */
const nextConfig = {
  // tfjs and ts-morph stay out of the server bundle; they load where they run.
  serverExternalPackages: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', 'ts-morph'],
  // Every write's limit is app/_lib/body-limits.ts, refused from its Content-Length before Next.js reads it; these stay above those
  // limits so that Next.js never cuts a body short: server actions take 512 KiB (Next.js would answer its own limit with a 500), and
  // the proxy passes on bodies up to the largest write (a dataset upload: 200 MB of files and their form).
  experimental: { serverActions: { bodySizeLimit: '1mb' }, proxyClientMaxBodySize: '210mb' },
  // Pages also get a per-request Content-Security-Policy with a nonce (proxy.ts).
  // Cross-origin isolation gives the training worker SharedArrayBuffer, so tfjs's WASM backend can use threads.
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
          { key: 'Cross-Origin-Embedder-Policy', value: 'require-corp' },
          // Every response is what its Content-Type says (a stored PNG stays an image); no site may frame the app.
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'X-Frame-Options', value: 'DENY' },
          { key: 'Referrer-Policy', value: 'same-origin' },
        ],
      },
    ];
  },
};

module.exports = nextConfig;
