// The speaker glue (issue 10): the cluster's state decides what this node announces over layer 2 and BGP.
export * from './cluster-state.js';
export * from './decide.js';
export * from './kube-objects.js';
export * from './protocol.js';
export * from './layer2-protocol.js';
export * from './bgp-protocol.js';
export * from './speaker.js';
export * from './process.js';
