import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort } from '../support/net.js';
import { runCli } from '../support/cli.js';
import { copyFixture, removeFixtures, treeSnapshot } from '../support/project.js';
import { startLocalS3, type LocalS3 } from '../support/s3.js';

describe('bad input: one-line error and hint, exit 1, nothing written', () => {
  let s3: LocalS3;
  let env: Record<string, string>;
  beforeAll(async () => {
    s3 = await startLocalS3();
    env = { ...s3.env, ENV: 'dev' };
  });
  afterAll(async () => {
    await s3.stop();
    removeFixtures();
  });

  /** Runs the CLI in a fresh fixture copy (after `prepare`), checks the error shape and that no file changed. */
  async function expectRejected(args: string[], extraEnv: Record<string, string | undefined>, message: RegExp, prepare?: (dir: string) => void) {
    const dir = copyFixture('basic');
    prepare?.(dir);
    const before = treeSnapshot(dir);
    const result = await runCli(args, { cwd: dir, env: { ...env, ...extraEnv } });
    expect(result.exitCode, result.stderr).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines, result.stderr).toHaveLength(2);
    expect(lines[0]).toMatch(message);
    expect(lines[1]).toMatch(/^hint: \S/);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(treeSnapshot(dir)).toEqual(before);
    return lines;
  }

  it('unknown stack, with a did-you-mean', async () => {
    await expectRejected(['plan', 'helo'], {}, /^error: unknown stack "helo" \(did you mean "hello"\?\)$/);
  });

  it('unknown ENV', async () => {
    const [, hint] = await expectRejected(['plan', 'hello'], { ENV: 'prod' }, /^error: unknown environment "prod"$/);
    expect(hint).toContain('dev, staging');
  });

  it('missing backend variables, all listed at once', async () => {
    await expectRejected(
      ['plan', 'hello'],
      { TOFU_BACKEND_S3_ENDPOINT: undefined, TOFU_BACKEND_S3_ACCESS_KEY: undefined, TOFU_BACKEND_S3_SECRET_KEY: undefined },
      /^error: missing backend environment variables: TOFU_BACKEND_S3_ENDPOINT, TOFU_BACKEND_S3_ACCESS_KEY, TOFU_BACKEND_S3_SECRET_KEY$/,
    );
  });

  it('malformed stack.yaml: a wrong field names the file and the field', async () => {
    await expectRejected(['stacks'], {}, /^error: stacks\/hello\/stack\.yaml: field "namespaces": expected Array, got "hello"$/, (dir) => {
      const file = path.join(dir, 'stacks/hello/stack.yaml');
      writeFileSync(file, readFileSync(file, 'utf8').replace('namespaces: [hello]', 'namespaces: hello'));
    });
  });

  it('malformed stack.yaml: an unknown field and broken YAML', async () => {
    await expectRejected(['plan', 'hello'], {}, /^error: stacks\/sleeper\/stack\.yaml: field "dependson": unknown field$/, (dir) => {
      writeFileSync(path.join(dir, 'stacks/sleeper/stack.yaml'), 'description: x\nnamespaces: [x]\ndependson: [hello]\nstate: {}\n');
    });
    await expectRejected(['plan', 'hello'], {}, /^error: stacks\/hello\/stack\.yaml: not valid YAML at line 3: /, (dir) => {
      writeFileSync(path.join(dir, 'stacks/hello/stack.yaml'), 'description: x\nnamespaces: [x\n');
    });
  });

  it('a stack root with no .tf files', async () => {
    await expectRejected(['plan', 'hollow'], {}, /^error: stack "hollow": root module directory stacks\/hollow has no \.tf files$/);
  });

  it('a root module that declares another backend type', async () => {
    await expectRejected(['backend', 'materialize', 'hello'], {}, /^error: stack "hello": modules\/hello\/backend\.tf declares backend "http"; foundation manages S3 backends only$/, (dir) => {
      writeFileSync(path.join(dir, 'modules/hello/backend.tf'), 'terraform {\n  backend "http" {}\n}\n');
    });
  });

  it('materialize over several stacks writes nothing when one of them is bad', async () => {
    await expectRejected(['backend', 'materialize', '--all'], {}, /^error: stack "hollow": root module directory stacks\/hollow has no \.tf files$/);
  });

  it('an ENV without a state key', async () => {
    await expectRejected(['state', 'key', 'hello', '--env', 'staging'], {}, /^error: stack "hello" has no state key for environment "staging"$/, (dir) => {
      const file = path.join(dir, 'stacks/hello/stack.yaml');
      writeFileSync(file, readFileSync(file, 'utf8').replace(/\n {2}keyTemplate: .*\n/, '\n'));
    });
  });

  it('an unreachable S3 endpoint', async () => {
    const port = await closedPort();
    await expectRejected(['plan', 'hello'], { TOFU_BACKEND_S3_ENDPOINT: `http://127.0.0.1:${port}` }, new RegExp(`^error: the S3 endpoint http://127\\.0\\.0\\.1:${port} is unreachable \\(ECONNREFUSED\\)$`));
  });

  it('an endpoint that is not a URL', async () => {
    await expectRejected(['plan', 'hello'], { TOFU_BACKEND_S3_ENDPOINT: 'rustfs:9000' }, /^error: TOFU_BACKEND_S3_ENDPOINT is not an http\(s\) URL: "rustfs:9000"$/);
  });

  it('no tofu or terraform on PATH', async () => {
    const emptyBin = mkdtempSync(path.join(tmpdir(), 'foundation-nopath-'));
    await expectRejected(['plan', 'hello'], { PATH: emptyBin }, /^error: neither tofu nor terraform is on PATH$/);
  });

  it('FOUNDATION_TOFU_BIN naming something that is not there', async () => {
    await expectRejected(['plan', 'hello'], { FOUNDATION_TOFU_BIN: '/nonexistent/tofu' }, /^error: FOUNDATION_TOFU_BIN names "\/nonexistent\/tofu", which is not an executable file$/);
  });

  it('a bad --parallelism or --drain-timeout, before any plan runs', async () => {
    await expectRejected(['apply', 'hello', '--auto-approve', '--parallelism', '0'], {}, /^error: --parallelism must be a whole number of at least 1, not "0"$/);
    await expectRejected(['apply', 'hello', '--auto-approve', '--drain-timeout', 'soon'], {}, /^error: --drain-timeout must be a duration such as 90s, 30m or 1h, not "soon"$/);
  });

  it('no foundation.yaml anywhere above the working directory', async () => {
    const lonely = mkdtempSync(path.join(tmpdir(), 'foundation-lonely-'));
    const result = await runCli(['stacks'], { cwd: lonely, env });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^error: no foundation\.yaml in .+ or any parent directory\nhint: /);
  });
});
