/// <reference path="./s3rver-module.d.ts" />
import fs from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import type { ObjectStorageConfig } from '../../src/config';

/**
 * A local S3-compatible server for the tests (s3rver 3.7.1: no MinIO in Debian or npm), on a free loopback
 * port with a folder of its own, holding one bucket. Its settings are what TOOLCHAIN.md says s3rver needs:
 * path-style addresses, region us-east-1, the credentials S3RVER/S3RVER.
 */
export interface RunningS3rver {
  endpoint: string;
  bucket: string;
  /** The configuration of a store in this bucket, under a key prefix of its own. */
  storage(prefix: string): Extract<ObjectStorageConfig, { kind: 's3' }>;
  stop(): Promise<void>;
}

export async function startS3rver(bucket = 'wanjia-test'): Promise<RunningS3rver> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'wanjia-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, directory, silent: true, configureBuckets: [{ name: bucket }] });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    storage: (prefix) => ({
      kind: 's3',
      bucket,
      prefix,
      endpoint,
      region: 'us-east-1',
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
      forcePathStyle: true,
    }),
    async stop() {
      await server.close();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** A store configuration whose endpoint nothing listens on: a bucket that is down. */
export function unreachableStorage(port: number): Extract<ObjectStorageConfig, { kind: 's3' }> {
  return {
    kind: 's3',
    bucket: 'wanjia-down',
    prefix: '',
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    forcePathStyle: true,
  };
}

/** A loopback port nothing listens on (free when asked; nothing of the test binds it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
