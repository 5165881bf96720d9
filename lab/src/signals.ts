/**
 * Teardown of live labs when the process ends: on SIGINT/SIGTERM/SIGHUP (async teardown, then the signal is
 * raised again so the process ends as it would have), and on exit (synchronous best effort). Handlers are
 * installed only while at least one lab is live, so an idle process keeps its default signal behaviour.
 */

export interface Teardownable {
  teardown(): Promise<void>;
  teardownSync(): void;
}

const live = new Set<Teardownable>();
const signals: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
let installed = false;
let handling = false;

function onExit(): void {
  for (const lab of [...live]) lab.teardownSync();
}

function onSignal(signal: NodeJS.Signals): void {
  if (handling) return;
  handling = true;
  const all = Promise.allSettled([...live].map((lab) => lab.teardown()));
  // Bounded: a stuck teardown must not keep a killed process alive.
  const cap = new Promise((resolve) => setTimeout(resolve, 15_000).unref());
  void Promise.race([all, cap]).then(() => {
    onExit();
    uninstall();
    process.kill(process.pid, signal);
  });
}

function install(): void {
  if (installed) return;
  installed = true;
  for (const signal of signals) process.on(signal, onSignal);
  process.on('exit', onExit);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  for (const signal of signals) process.off(signal, onSignal);
  process.off('exit', onExit);
}

export function registerLive(lab: Teardownable, handleSignals: boolean): void {
  live.add(lab);
  if (handleSignals) install();
}

export function unregisterLive(lab: Teardownable): void {
  live.delete(lab);
  if (live.size === 0 && !handling) uninstall();
}
