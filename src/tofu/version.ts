import { execa } from 'execa';
import type { TofuBinary } from './binary.js';

export interface TofuVersion {
  /** "1.11.4" */
  version: string;
  /** tofu's own platform name, e.g. "linux_amd64". */
  platform: string;
}

/**
 * `<tofu> version -json` (OpenTofu and terraform print the same `terraform_version` and
 * `platform` keys); undefined when the binary does not answer with them. With
 * CHECKPOINT_DISABLE, terraform does not ask HashiCorp whether it is outdated.
 */
export async function tofuVersion(tofu: TofuBinary): Promise<TofuVersion | undefined> {
  const result = await execa(tofu.path, ['version', '-json'], {
    reject: false,
    timeout: 15_000,
    stdin: 'ignore',
    env: { CHECKPOINT_DISABLE: '1' },
  });
  try {
    const parsed = JSON.parse(String(result.stdout)) as { terraform_version?: unknown; platform?: unknown };
    if (typeof parsed.terraform_version !== 'string') return undefined;
    return { version: parsed.terraform_version, platform: typeof parsed.platform === 'string' ? parsed.platform : 'unknown' };
  } catch {
    return undefined;
  }
}
