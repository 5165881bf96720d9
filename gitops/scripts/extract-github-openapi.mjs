// Extracts the GitHub REST operations lbops calls from @octokit/openapi (GitHub's official OpenAPI description,
// dereferenced) into testdata/github-openapi-extract.json, so the fake GitHub in the tests checks every request
// against the real description without a 385 MB dev dependency. Regenerate:
//   npm install --no-save @octokit/openapi@<version> && node gitops/scripts/extract-github-openapi.mjs
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const packageJson = require.resolve('@octokit/openapi/package.json');
const { version } = JSON.parse(readFileSync(packageJson, 'utf8'));
const source = path.join(path.dirname(packageJson), 'generated', 'api.github.com.deref.json');
const raw = readFileSync(source);
const description = JSON.parse(raw.toString('utf8'));

const wanted = [
  ['get', '/repos/{owner}/{repo}/issues/{issue_number}/comments'],
  ['post', '/repos/{owner}/{repo}/issues/{issue_number}/comments'],
  ['patch', '/repos/{owner}/{repo}/issues/comments/{comment_id}'],
  ['get', '/repos/{owner}/{repo}/commits/{commit_sha}/pulls'],
];
const paths = {};
for (const [method, route] of wanted) {
  const operation = description.paths[route]?.[method];
  if (operation === undefined) throw new Error(`${method.toUpperCase()} ${route} is not in the description`);
  const responses = {};
  for (const [status, response] of Object.entries(operation.responses)) {
    responses[status] = {
      description: response.description,
      ...(response.headers ? { headers: response.headers } : {}),
      ...(response.content?.['application/json']
        ? { content: { 'application/json': { schema: response.content['application/json'].schema } } }
        : {}),
    };
  }
  paths[route] = {
    ...paths[route],
    [method]: {
      operationId: operation.operationId,
      parameters: operation.parameters ?? [],
      ...(operation.requestBody ? { requestBody: operation.requestBody } : {}),
      responses,
    },
  };
}
const out = {
  openapi: description.openapi,
  info: description.info,
  'x-provenance': {
    package: '@octokit/openapi',
    version,
    file: 'generated/api.github.com.deref.json',
    sha256: createHash('sha256').update(raw).digest('hex'),
    operations: wanted.map(([m, r]) => `${m.toUpperCase()} ${r}`),
    extractedBy: 'gitops/scripts/extract-github-openapi.mjs',
  },
  servers: description.servers,
  paths,
};
const target = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'testdata',
  'github-openapi-extract.json',
);
writeFileSync(target, JSON.stringify(out, null, 1) + '\n');
console.log(`wrote ${target} (${Object.keys(paths).length} paths) from @octokit/openapi ${version}`);
