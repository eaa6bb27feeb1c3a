import { describe, expect, it } from 'vitest';
import { backendKindFor } from '../../src/backends/backend-kind.js';
import { gitlabStateLocation, readGitlabCredentials, withGitlabCredentials } from '../../src/backends/gitlab-http.js';
import type { Stack } from '../../src/config/project.js';

const stack = (spec: Partial<Stack['spec']>): Stack =>
  ({ name: 'gitlab-runners', dir: '/p/stacks/gitlab-runners', file: 'stacks/gitlab-runners/stack.yaml', rootDir: '/p/stacks/gitlab-runners', rootRel: 'stacks/gitlab-runners', spec }) as Stack;

describe('legacy GitLab HTTP state settings', () => {
  it('S3 unless stack.yaml says gitlab-http for the ENV', () => {
    const s = stack({ backend: { dev: 'gitlab-http' } });
    expect(backendKindFor(s, 'dev')).toBe('gitlab-http');
    expect(backendKindFor(s, 'staging')).toBe('s3');
    expect(backendKindFor(stack({}), 'dev')).toBe('s3');
  });

  it('builds GitLab\'s state address with the project path and state name URL-encoded', () => {
    const s = stack({ gitlab: { url: 'https://gitlab.example.com/', project: 'tinyland/infra', stateName: '{env}-{stack}' } });
    expect(gitlabStateLocation(s, 'dev', {})).toEqual({
      address: 'https://gitlab.example.com/api/v4/projects/tinyland%2Finfra/terraform/state/dev-gitlab-runners',
      lockAddress: 'https://gitlab.example.com/api/v4/projects/tinyland%2Finfra/terraform/state/dev-gitlab-runners/lock',
      project: 'tinyland/infra',
      stateName: 'dev-gitlab-runners',
    });
    const byId = stack({ gitlab: { project: 42, stateName: '{stack}' } });
    expect(gitlabStateLocation(byId, 'dev', { CI_SERVER_URL: 'https://gl.internal' }).address).toBe('https://gl.internal/api/v4/projects/42/terraform/state/gitlab-runners');
  });

  it('names what is missing', () => {
    expect(() => gitlabStateLocation(stack({}), 'dev', {})).toThrow('stack "gitlab-runners" uses backend gitlab-http in ENV dev but stacks/gitlab-runners/stack.yaml has no "gitlab" section');
    expect(() => gitlabStateLocation(stack({ gitlab: { project: 1, stateName: '{stack}' } }), 'dev', {})).toThrow('no GitLab URL');
    expect(() => readGitlabCredentials({})).toThrow('missing GitLab credentials for the legacy state: TF_HTTP_PASSWORD, GITLAB_TOKEN or CI_JOB_TOKEN');
  });

  it('credentials: TF_HTTP_* first, GITLAB_TOKEN as the password otherwise; tofu gets TF_HTTP_*, never GITLAB_TOKEN', () => {
    expect(readGitlabCredentials({ TF_HTTP_USERNAME: 'ops', TF_HTTP_PASSWORD: 'glpat-aaaa', GITLAB_TOKEN: 'glpat-bbbb' })).toEqual({ username: 'ops', password: 'glpat-aaaa', source: 'TF_HTTP_PASSWORD', jobToken: false });
    const fromToken = readGitlabCredentials({ GITLAB_TOKEN: 'glpat-bbbb' });
    expect(fromToken.password).toBe('glpat-bbbb');
    const child = withGitlabCredentials({ PATH: '/bin', GITLAB_TOKEN: 'glpat-bbbb' }, fromToken);
    expect(child).toEqual({ PATH: '/bin', TF_HTTP_USERNAME: fromToken.username, TF_HTTP_PASSWORD: 'glpat-bbbb' });
  });

  it('user name: TF_HTTP_USERNAME when set; gitlab-ci-token for a CI job token; GITLAB_USER_LOGIN for an access token', () => {
    const job = { GITLAB_USER_LOGIN: 'ops', CI_JOB_TOKEN: 'job-token-value' };
    expect(readGitlabCredentials(job)).toEqual({ username: 'gitlab-ci-token', password: 'job-token-value', source: 'CI_JOB_TOKEN', jobToken: true });
    expect(readGitlabCredentials({ ...job, GITLAB_TOKEN: 'job-token-value' })).toMatchObject({ username: 'gitlab-ci-token', source: 'GITLAB_TOKEN', jobToken: true });
    // a job token copied elsewhere is known by GitLab's prefix
    expect(readGitlabCredentials({ GITLAB_TOKEN: 'glcbt-64_abc' })).toMatchObject({ username: 'gitlab-ci-token', jobToken: true });
    expect(readGitlabCredentials({ ...job, GITLAB_TOKEN: 'glpat-cccc' })).toMatchObject({ username: 'ops', password: 'glpat-cccc', jobToken: false });
    expect(readGitlabCredentials({ ...job, TF_HTTP_USERNAME: 'me' })).toMatchObject({ username: 'me', jobToken: true });
  });
});
