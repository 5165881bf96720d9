// Runs one controller in a process of its own, for the bench (its memory is measured apart from the API
// server's): `node standalone.js KUBECONFIG`. Prints JSON lines on stdout: {"ready":...} once it leads with a
// restored allocator, {"settled":...} each time its queue drains; stops on SIGTERM/SIGINT.
import { KubeClient, loadKubeConfig } from '@lbops/kube';
import { Controller } from './controller.js';
import { createLogger } from '@lbops/kube';

const kubeconfig = process.argv[2];
if (kubeconfig === undefined) {
  process.stderr.write('usage: node standalone.js KUBECONFIG\n');
  process.exit(2);
}
const controller = new Controller({
  client: new KubeClient(loadKubeConfig(kubeconfig)),
  leaderElection: false,
  logger: createLogger({ level: 'error' }),
});
controller.start();
const started = Date.now();
let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  void controller.stop().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
let wasReady = false;
let wasSettled = false;
const timer = setInterval(() => {
  if (stopping) return;
  const readiness = controller.readiness();
  if (readiness.ok && !wasReady) {
    wasReady = true;
    process.stdout.write(`${JSON.stringify({ ready: Date.now() - started })}\n`);
  }
  if (!wasReady) return;
  void controller.settled(0).then((settled) => {
    if (settled !== wasSettled) {
      wasSettled = settled;
      if (settled) process.stdout.write(`${JSON.stringify({ settled: Date.now() - started })}\n`);
    }
  });
}, 50);
timer.unref();
