import type { BackendEnvNames } from '../config/schema.js';
import { FoundationError } from '../ui/errors.js';
import { LineBuffer } from '../util/line-buffer.js';
import { s3Error, type S3Failure } from './s3-probe.js';
import type { S3Location } from './s3-settings.js';

// tofu's S3 backend reports through the AWS SDK for Go v2: "operation error S3: <Op>, ...
// StatusCode: 403, ... api error InvalidAccessKeyId: ...", or "StatusCode: 0 ... request
// send failed ... connection refused" once its retries are spent.
const SDK_ERROR = /operation error S3: \w+, (.*)$/;
const SDK_ERROR_MARK = 'operation error S3: ';

/**
 * Watches a tofu run's output for a failure of the S3 state backend, so that a run that
 * skipped the bucket probe (the root was initialized against the same backend) still
 * ends on the probe's one clear line instead of "tofu plan failed".
 */
export class TofuS3ErrorReader {
  private readonly buffer = new LineBuffer();
  private detail?: string;

  push(text: string): void {
    this.read(this.buffer.lines(text));
  }

  /** The backend failure tofu reported, as foundation's error, or undefined when there was none. */
  error(location: S3Location, names: BackendEnvNames): FoundationError | undefined {
    this.read(this.buffer.rest());
    const failure = this.detail === undefined ? undefined : classify(this.detail);
    return failure && s3Error(failure, location, names);
  }

  /** Whole lines, looked at only when they have the SDK's wording: most output is the plan. */
  private read(lines: string): void {
    if (this.detail !== undefined || !lines.includes(SDK_ERROR_MARK)) return;
    for (const line of lines.split('\n')) this.detail ??= SDK_ERROR.exec(line)?.[1];
  }
}

function classify(detail: string): S3Failure {
  const status = Number(/StatusCode: (\d+)/.exec(detail)?.[1] ?? 0);
  const name = /api error (\w+)/.exec(detail)?.[1];
  if (status === 401 || status === 403 || ['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied'].includes(name ?? '')) return { kind: 'credentials', status };
  if (status === 404 || name === 'NoSuchBucket') return { kind: 'bucket' };
  if (status > 0) return { kind: 'status', status, name };
  return { kind: 'unreachable', code: /: ([^:]+)$/.exec(detail)?.[1]?.trim() ?? 'no answer' };
}
