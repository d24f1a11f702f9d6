/** @type {import('next').NextConfig} */
const nextConfig = {
  // tfjs and ts-morph stay out of the server bundle; they load where they run.
  serverExternalPackages: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', 'ts-morph'],
};

module.exports = nextConfig;
