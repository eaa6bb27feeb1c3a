import { readFileSync } from 'node:fs';
import { afterEach } from 'vitest';
import { copyFixture, removeFixtures } from './project.js';
import { startLocalS3, type LocalS3 } from './s3.js';

export interface Fleet {
  s3: LocalS3;
  dir: string;
  env: Record<string, string>;
}

const started: LocalS3[] = [];

/** A fresh copy of the five-stack fleet (a1 -> a2, b1 -> b2, both -> c) with its own S3 server. */
export async function freshFleet(): Promise<Fleet> {
  const s3 = await startLocalS3();
  started.push(s3);
  return { s3, dir: copyFixture('fleet'), env: { ...s3.env, ENV: 'dev' } };
}

/** Registers cleanup of every fleet a test file starts. */
export function cleanUpFleets(): void {
  afterEach(async () => {
    await Promise.all(started.splice(0).map((s3) => s3.stop()));
    removeFixtures();
  });
}

/** The `<stack> start|end <ns>` lines the fleet's local-exec appends to $FLEET_LOG. */
export function readFleetLog(file: string): Array<{ stack: string; event: 'start' | 'end'; ns: bigint }> {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [stack, event, ns] = line.split(' ');
      return { stack: stack!, event: event as 'start' | 'end', ns: BigInt(ns!) };
    });
}
