// One speaker process for the lab test: `node lab-runner.test-support.js KUBECONFIG NODE`, run inside a node
// namespace (not a dry run: raw frames, BGP sessions, membership). Logs JSON lines on stdout.
import { createLogger } from '@lbops/kube';
import { KubeClient, loadKubeConfig } from '@lbops/kube';
import { startSpeakerProcess } from './process.js';

const [kubeconfig, node] = process.argv.slice(2);
if (kubeconfig === undefined || node === undefined) {
  process.stderr.write('usage: lab-runner.test-support.js KUBECONFIG NODE\n');
  process.exit(2);
}
const running = await startSpeakerProcess({
  client: new KubeClient(loadKubeConfig(kubeconfig)),
  node,
  namespace: 'metallb-system',
  dryRun: false,
  metricsListen: undefined,
  logger: createLogger({ level: 'debug', write: (line) => process.stdout.write(line) }),
});
const stop = (): void => {
  void running.stop().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
