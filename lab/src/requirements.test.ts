import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LabPrerequisiteError } from './errors.js';
import { findTool, prerequisiteError, skipReasonFor, tools } from './requirements.js';

test('the message names what is missing and the apt packages to install', () => {
  const error = prerequisiteError(['root', 'bird', 'birdc', 'bgpd']);
  assert.ok(error instanceof LabPrerequisiteError);
  assert.match(error.message, /root privileges/);
  assert.match(error.message, /bird, birdc, bgpd \(install with: apt-get install -y bird2 frr\)/);
  assert.deepEqual(error.missing, ['root', 'bird', 'birdc', 'bgpd']);
});

test('outside CI a missing piece skips with the message; in CI it fails instead of skipping', () => {
  assert.equal(skipReasonFor([], { CI: 'true' }), undefined);
  assert.match(skipReasonFor(['gobgpd'], {}) ?? '', /apt-get install -y gobgpd/);
  assert.match(skipReasonFor(['gobgpd'], { CI: 'false' }) ?? '', /gobgpd/);
  assert.throws(() => skipReasonFor(['gobgpd'], { CI: 'true' }), /CI is set: lab tests must not be skipped/);
});

test('tools are found by absolute path or in PATH plus the sbin directories', () => {
  assert.equal(
    findTool({ name: 'none', path: 'lbops-no-such-tool', aptPackage: 'none' }, { PATH: '' }),
    undefined,
  );
  assert.equal(findTool({ name: 'sh', path: '/bin/sh', aptPackage: 'dash' }), '/bin/sh');
  assert.equal(findTool({ name: 'sh', path: 'sh', aptPackage: 'dash' }, { PATH: '' })?.endsWith('/sh'), true);
  assert.equal(tools.bgpd.aptPackage, 'frr');
});
