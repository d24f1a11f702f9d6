/** @type {import('next').NextConfig} */
const nextConfig = {
  // tfjs and ts-morph stay out of the server bundle; they load where they run.
  serverExternalPackages: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', 'ts-morph'],
  // Autosave sends the whole GraphDoc; large graphs exceed the 1 MB default.
  experimental: { serverActions: { bodySizeLimit: '20mb' } },
  // Cross-origin isolation gives the training worker SharedArrayBuffer, so tfjs's WASM backend can use threads.
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
          { key: 'Cross-Origin-Embedder-Policy', value: 'require-corp' },
        ],
      },
    ];
  },
};

module.exports = nextConfig;
