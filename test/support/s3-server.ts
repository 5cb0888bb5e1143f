/** s3rver for the suites: see store-servers.mjs, which bench/upload.mjs shares. */
export { S3RVER_CREDENTIALS, S3RVER_REGION, type S3Server, s3StorageEnv, startS3rver } from './store-servers.mjs';
