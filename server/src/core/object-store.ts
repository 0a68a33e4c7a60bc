import fs from 'node:fs';
import type { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { UnavailableError, UNAVAILABLE_RETRY_AFTER_SECONDS } from './errors';

/**
 * The S3-compatible bucket every instance shares (issue 17): photos and uploaded spreadsheets live here
 * when OBJECT_STORAGE_URL is set. One thin wrapper over @aws-sdk/client-s3 that keys everything under the
 * configured prefix and turns the store's failures into the two answers the app knows: "no such object"
 * (null / false) and "the store cannot be reached now" (ObjectStoreUnavailableError, a 503 with
 * Retry-After), never a crash and never a 500 that hides an outage.
 */

/** The bucket's settings (config.ts's ObjectStorageConfig of kind 's3', from OBJECT_STORAGE_*), restated here: core/ imports nothing outside itself. */
export interface S3Settings {
  kind: 's3';
  bucket: string;
  /** Key prefix inside the bucket, without leading or trailing slashes ('' for none). */
  prefix: string;
  /** null: the SDK's default (AWS) endpoint. */
  endpoint: string | null;
  region: string;
  /** null: the SDK's default credential chain (environment, instance role). */
  accessKeyId: string | null;
  secretAccessKey: string | null;
  forcePathStyle: boolean;
}

/** Where the store's failures are logged (the app's pino logger). */
export interface StoreLogger {
  error(details: Record<string, unknown>, message: string): void;
  warn(details: Record<string, unknown>, message: string): void;
}

/** The store could not answer (down, timed out, refused our credentials, no such bucket): worth retrying once it is back. */
export class ObjectStoreUnavailableError extends UnavailableError {
  constructor(cause: unknown) {
    super('file storage is temporarily unavailable; try again shortly', { cause, details: { retryAfterSeconds: UNAVAILABLE_RETRY_AFTER_SECONDS } });
  }
}

/** An object's bytes as they arrive, and their length when the store said it. */
export interface StoredObjectStream {
  body: Readable;
  bytes: number | null;
}

/** Whether the store answered "no such key" (GetObject's NoSuchKey, HeadObject's bare 404) — not a missing bucket, which is a fault. */
function isMissingObject(error: unknown): boolean {
  const { name, $metadata } = (error ?? {}) as { name?: unknown; $metadata?: { httpStatusCode?: number } };
  if (name === 'NoSuchBucket') return false;
  return name === 'NoSuchKey' || name === 'NotFound' || $metadata?.httpStatusCode === 404;
}

/** Milliseconds to wait for a connection to the store, and for a silent socket, before the SDK gives up (and retries). */
const CONNECT_TIMEOUT_MS = 5_000;
const IDLE_SOCKET_TIMEOUT_MS = 60_000;

/** The SDK client for the configuration: the settings every S3-compatible store we target needs. */
export function s3ClientConfig(settings: S3Settings, logger?: StoreLogger): S3ClientConfig {
  const ignore = () => undefined;
  return {
    // The SDK's own warnings (a failed stream upload it will not retry) into our log, not on stderr; its
    // info lines (every command with its input) are left out.
    ...(logger
      ? {
          logger: {
            debug: ignore,
            info: ignore,
            warn: (message: unknown) => logger.warn({ sdk: String(message) }, 'object storage client warning'),
            error: ignore,
          },
        }
      : {}),
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    // Virtual-hosted (bucket.endpoint/key) unless asked: what COS and OSS require; MinIO without a domain
    // and s3rver need endpoint/bucket/key.
    forcePathStyle: settings.forcePathStyle,
    ...(settings.accessKeyId && settings.secretAccessKey
      ? { credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey } }
      : {}),
    // Since SDK 3.729 every upload carries a CRC32 trailer in aws-chunked framing unless told otherwise.
    // Stores that do not speak it (s3rver; older MinIO; COS and OSS refuse or store the framing as the
    // object's bytes) break, and ETag/Content-MD5 integrity is what they all do support.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // Three attempts with the SDK's backoff, then the caller hears ObjectStoreUnavailableError.
    maxAttempts: 3,
    requestHandler: { connectionTimeout: CONNECT_TIMEOUT_MS, socketTimeout: IDLE_SOCKET_TIMEOUT_MS },
  };
}

export class S3ObjectStore {
  private readonly client: S3Client;
  /** For stream bodies: one attempt per send, since a stream the SDK already read cannot be sent again; putFile retries with a fresh one. */
  private readonly singleAttemptClient: S3Client;
  readonly bucket: string;
  private readonly prefix: string;

  constructor(
    settings: S3Settings,
    private readonly logger: StoreLogger,
  ) {
    this.client = new S3Client(s3ClientConfig(settings, logger));
    this.singleAttemptClient = new S3Client({ ...s3ClientConfig(settings, logger), maxAttempts: 1 });
    this.bucket = settings.bucket;
    this.prefix = settings.prefix ? `${settings.prefix}/` : '';
  }

  /** The object's full key in the bucket. */
  keyOf(key: string): string {
    return `${this.prefix}${key}`;
  }

  /** The error callers get for a failed request, logged once here with what the store said. */
  unavailableError(operation: string, key: string, error: unknown): ObjectStoreUnavailableError {
    // Logged here, once, with what the store said: the client's answer says only "try again".
    this.logger.error({ err: error, operation, bucket: this.bucket, key: this.keyOf(key) }, 'object storage request failed');
    return new ObjectStoreUnavailableError(error);
  }

  /** Stores bytes already in memory (a photo, a thumbnail) under the key; a PUT is atomic: readers see the old object or the new, never half. */
  async putBytes(key: string, bytes: Buffer, contentType: string): Promise<void> {
    try {
      await this.client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: this.keyOf(key), Body: bytes, ContentType: contentType, ContentLength: bytes.length }),
      );
    } catch (error) {
      throw this.unavailableError('put', key, error);
    }
  }

  /** Streams a local file (an uploaded spreadsheet) to the key, never holding it in memory; its length is sent up front (no chunked framing). */
  async putFile(key: string, file: string, contentType: string): Promise<void> {
    const { size } = await fs.promises.stat(file);
    // A fresh stream per attempt: the SDK's retry of a failed PUT cannot rewind a stream it already read.
    let lastError: unknown;
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      const body = fs.createReadStream(file);
      try {
        await this.singleAttemptClient.send(
          new PutObjectCommand({ Bucket: this.bucket, Key: this.keyOf(key), Body: body, ContentType: contentType, ContentLength: size }),
        );
        return;
      } catch (error) {
        lastError = error;
      } finally {
        body.destroy();
      }
    }
    throw this.unavailableError('put', key, lastError);
  }

  /** The object as a stream, or null when there is none. The stream is the caller's to consume or destroy. */
  async open(key: string): Promise<StoredObjectStream | null> {
    try {
      const answer = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.keyOf(key) }));
      if (!answer.Body) return null;
      return { body: answer.Body as Readable, bytes: answer.ContentLength ?? null };
    } catch (error) {
      if (isMissingObject(error)) return null;
      throw this.unavailableError('get', key, error);
    }
  }

  /** The object's bytes, or null when there is none (photos: a few hundred kilobytes, which sharp needs whole). */
  async getBytes(key: string): Promise<Buffer | null> {
    const found = await this.open(key);
    if (!found) return null;
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of found.body as AsyncIterable<Buffer>) chunks.push(chunk);
    } catch (error) {
      throw this.unavailableError('get', key, error);
    }
    return Buffer.concat(chunks);
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.keyOf(key) }));
      return true;
    } catch (error) {
      if (isMissingObject(error)) return false;
      throw this.unavailableError('head', key, error);
    }
  }

  /** Deletes the object; deleting one that is not there is no error (S3 answers 204 either way). */
  async remove(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.keyOf(key) }));
    } catch (error) {
      if (isMissingObject(error)) return;
      throw this.unavailableError('delete', key, error);
    }
  }

  /** Closes the client's sockets (tests, shutdown). */
  close(): void {
    this.client.destroy();
    this.singleAttemptClient.destroy();
  }
}

/**
 * The store of a configuration, made once per configuration object so that the photo routes and the
 * import engine of one app share one client (one connection pool); null when OBJECT_STORAGE_URL is unset.
 */
const stores = new WeakMap<S3Settings, S3ObjectStore>();

export function objectStoreOf(config: { objectStorage: { kind: 'local' } | S3Settings }, logger: StoreLogger): S3ObjectStore | null {
  const settings = config.objectStorage;
  if (settings.kind !== 's3') return null;
  let store = stores.get(settings);
  if (!store) {
    store = new S3ObjectStore(settings, logger);
    stores.set(settings, store);
  }
  return store;
}
