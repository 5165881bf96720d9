// Recorded assignments (what the allocator restores from) out of a state file, through the controller's own
// reading of a Service, so plan, sync report and controller agree on what a Service asks for.
import type { RecordedAssignment } from '@lbops/controller';
import { serviceIntent } from '@lbops/controller/controller/index';
import { stateServiceObject, type StateFile } from './state-file.js';

export function recordedFromState(state: StateFile, loadBalancerClass?: string): RecordedAssignment[] {
  const out: RecordedAssignment[] = [];
  for (const entry of state.services) {
    const intent = serviceIntent(stateServiceObject(entry), state.namespaces[entry.namespace], {
      loadBalancerClass,
    });
    if (intent.kind === 'request') out.push({ request: intent.request, ips: entry.ips });
  }
  return out;
}
