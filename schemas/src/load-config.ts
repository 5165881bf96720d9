// loadConfig: the one pure function from configuration files to the typed model and diagnostics,
// shared by the CLI, the pull-request check, the controller and the speakers so all four agree.
import { diagnostic, finishDiagnostics } from './diagnostics.js';
import {
  convertLegacyConfig,
  DEFAULT_NAMESPACE,
  looksLikeLegacyConfig,
  type ConvertedResource,
  type KubeObject,
} from './legacy-config.js';
import type { Config, Diagnostic } from './model.js';
import {
  buildBfdProfile,
  buildBgpAdvertisement,
  buildBgpPeer,
  buildCommunities,
  buildL2Advertisement,
  buildPool,
  type BuildContext,
  type Locate,
} from './resources.js';
import {
  LEGACY_CONFIG_KEY,
  hasSchema,
  validateAgainstSchema,
  type SchemaProblem,
} from './schema-validator.js';
import { applySemanticRules, type BgpMode, type Collected } from './semantic-rules.js';
import type { ValidationContext } from './validation-context.js';
import { parseEmbeddedYaml, parseYamlFile, subDocument, type SourceDocument } from './yaml-source.js';

export interface ConfigFile {
  readonly name: string;
  readonly content: string;
}

export interface LoadConfigOptions {
  /** Addresses the pools must not overlap (node IPs, gateways, pod/service CIDRs, other clusters' pools). */
  readonly context?: ValidationContext;
  /** MetalLB's BGP mode, when known: its specific restrictions become errors (else warnings). */
  readonly bgpMode?: BgpMode;
}

export interface LoadConfigResult {
  /** The model; undefined when any diagnostic is an error (MetalLB would refuse the whole configuration). */
  readonly config: Config | undefined;
  /** All problems, errors and warnings, sorted by file, line and column. */
  readonly diagnostics: Diagnostic[];
}

export const METALLB_KINDS = [
  'IPAddressPool',
  'L2Advertisement',
  'BGPAdvertisement',
  'BGPPeer',
  'Community',
  'BFDProfile',
] as const;
const METALLB_VERSIONS: Readonly<Record<string, readonly string[]>> = {
  IPAddressPool: ['v1beta1'],
  L2Advertisement: ['v1beta1'],
  BGPAdvertisement: ['v1beta1'],
  BGPPeer: ['v1beta1', 'v1beta2'],
  Community: ['v1beta1'],
  BFDProfile: ['v1beta1'],
};

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function problemLocation(doc: SourceDocument, p: SchemaProblem): ReturnType<SourceDocument['locate']> {
  if (p.key !== undefined) return doc.locate(p.pointer, p.key);
  // A missing field is reported at the key of the object that lacks it (e.g. `spec:`).
  if (p.missing !== undefined) {
    if (p.pointer === '') return doc.locate('');
    const cut = p.pointer.lastIndexOf('/');
    const last = p.pointer
      .slice(cut + 1)
      .replace(/~1/g, '/')
      .replace(/~0/g, '~');
    if (!/^[0-9]+$/.test(last)) return doc.locate(p.pointer.slice(0, cut), last);
  }
  return doc.locate(p.pointer);
}

function schemaDiagnostics(
  doc: SourceDocument,
  problems: readonly SchemaProblem[],
  out: Diagnostic[],
  strict = false,
): boolean {
  let errors = false;
  for (const p of problems) {
    // MetalLB <= 0.12 parsed the legacy configuration with yaml.UnmarshalStrict: unknown fields were errors.
    const strictUnknown = strict && p.code === 'unknown-field';
    const severity = strictUnknown ? 'error' : p.severity;
    if (severity === 'error') errors = true;
    const message = strictUnknown ? p.message.replace('; it is ignored', '; MetalLB rejects it') : p.message;
    out.push(diagnostic(problemLocation(doc, p), severity, p.code, message, p.hint));
  }
  return errors;
}

/** Legacy rules that do not survive conversion (the converter drops what they are about). */
function legacyRules(doc: SourceDocument, config: Record<string, unknown>, out: Diagnostic[]): void {
  const pools = Array.isArray(config['address-pools']) ? (config['address-pools'] as unknown[]) : [];
  pools.forEach((pool, i) => {
    if (!isRecord(pool) || pool['protocol'] !== 'layer2') return;
    const advs = pool['bgp-advertisements'];
    if (Array.isArray(advs) && advs.length > 0) {
      out.push(
        diagnostic(
          doc.locate(`/address-pools/${i}`, 'bgp-advertisements'),
          'error',
          'bgp-advertisements-on-layer2',
          `address pool "${String(pool['name'])}" uses protocol layer2 but has bgp-advertisements`,
          'remove bgp-advertisements, or set protocol: bgp',
        ),
      );
    }
  });
}

/** A legacy configuration found in the input: its document and where it sits. */
interface LegacyFound {
  readonly doc: SourceDocument;
  readonly converted: ConvertedResource[];
  readonly namespace: string;
}

/**
 * Extracts, validates and converts a legacy configuration held by `outer` (a ConfigMap with a
 * `config` key, or a bare legacy document). Returns undefined when it is not legacy or invalid.
 */
function readLegacy(
  outer: SourceDocument,
  content: string,
  diagnostics: Diagnostic[],
  kind: 'configmap' | 'bare',
): LegacyFound | undefined {
  let doc = outer;
  let namespace = DEFAULT_NAMESPACE;
  if (kind === 'configmap') {
    const value = outer.value as Record<string, unknown>;
    if (schemaDiagnostics(outer, validateAgainstSchema('v1', 'ConfigMap', value), diagnostics))
      return undefined;
    const meta = isRecord(value['metadata']) ? value['metadata'] : {};
    if (typeof meta['namespace'] === 'string') namespace = meta['namespace'];
    const text = (value['data'] as Record<string, unknown>)['config'] as string;
    const inner = parseEmbeddedYaml(outer, '/data/config', text, content);
    diagnostics.push(...inner.diagnostics);
    if (inner.diagnostics.some((d) => d.severity === 'error')) return undefined;
    const docs = inner.documents.filter((d) => d.value !== null && d.value !== undefined);
    if (docs.length === 0) {
      diagnostics.push(
        diagnostic(
          outer.locate('/data/config'),
          'warning',
          'empty-legacy-config',
          'the legacy MetalLB configuration is empty',
          'add address-pools, or delete the ConfigMap',
        ),
      );
      return undefined;
    }
    if (docs.length > 1) {
      diagnostics.push(
        diagnostic(
          outer.locate('/data/config'),
          'error',
          'invalid-legacy-config',
          'the legacy MetalLB configuration holds more than one YAML document',
          'keep one document in data.config',
        ),
      );
      return undefined;
    }
    doc = docs[0] as SourceDocument;
    diagnostics.push(
      diagnostic(
        outer.locate('/data', 'config'),
        'warning',
        'legacy-config',
        'legacy MetalLB ConfigMap: MetalLB 0.13 and later ignore it and read metallb.io resources instead',
        'convert it with `lbops convert` and apply the resources it prints',
      ),
    );
  }
  if (!isRecord(doc.value)) {
    diagnostics.push(
      diagnostic(
        doc.locate(''),
        'error',
        'wrong-type',
        'the legacy MetalLB configuration must be a map (peers, address-pools, ...)',
        'see the MetalLB 0.12 documentation for the format',
      ),
    );
    return undefined;
  }
  // Converted even when the schema found errors, so that the semantic rules report everything at once;
  // the builders skip wrong-typed values (already reported).
  schemaDiagnostics(
    doc,
    validateAgainstSchema(LEGACY_CONFIG_KEY.apiVersion, LEGACY_CONFIG_KEY.kind, doc.value),
    diagnostics,
    true,
  );
  legacyRules(doc, doc.value, diagnostics);
  return { doc, converted: convertLegacyConfig(doc.value, namespace), namespace };
}

type Classified =
  | {
      readonly type: 'resource';
      readonly apiVersion: string;
      readonly kind: string;
      readonly value: Record<string, unknown>;
    }
  | { readonly type: 'legacy-configmap' }
  | { readonly type: 'legacy-bare' }
  | { readonly type: 'skip' };

function classify(doc: SourceDocument, diagnostics: Diagnostic[]): Classified {
  const value = doc.value;
  if (value === null || value === undefined) return { type: 'skip' };
  if (!isRecord(value)) {
    diagnostics.push(
      diagnostic(
        doc.locate(''),
        'error',
        'not-an-object',
        'a document must be a Kubernetes object (a map with apiVersion, kind, metadata, spec)',
        'check the indentation of the document',
      ),
    );
    return { type: 'skip' };
  }
  if (looksLikeLegacyConfig(value)) return { type: 'legacy-bare' };
  const apiVersion = value['apiVersion'];
  const kind = value['kind'];
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
    const field = typeof apiVersion !== 'string' ? 'apiVersion' : 'kind';
    diagnostics.push(
      diagnostic(
        doc.locate(field in value ? `/${field}` : ''),
        'error',
        'missing-kind',
        `the document has no ${field === 'apiVersion' ? 'apiVersion' : 'kind'} string`,
        'start each document with apiVersion: metallb.io/v1beta1 and kind: IPAddressPool (or another kind)',
      ),
    );
    return { type: 'skip' };
  }
  if (apiVersion === 'v1' && kind === 'ConfigMap') {
    const data = isRecord(value['data']) ? value['data'] : undefined;
    const meta = isRecord(value['metadata']) ? value['metadata'] : {};
    const config = data?.['config'];
    if (
      typeof config === 'string' &&
      (meta['name'] === 'config' ||
        /^\s*(address-pools|peers|bgp-communities|bfd-profiles)\s*:/m.test(config))
    ) {
      return { type: 'legacy-configmap' };
    }
    diagnostics.push(
      diagnostic(
        doc.locate('/kind'),
        'warning',
        'ignored-document',
        'this ConfigMap holds no MetalLB configuration; it is ignored',
        'a legacy MetalLB ConfigMap has a "config" key with address-pools',
      ),
    );
    return { type: 'skip' };
  }
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = apiVersion.slice(slash + 1);
  if (group === 'metallb.io' && (METALLB_KINDS as readonly string[]).includes(kind)) {
    const versions = METALLB_VERSIONS[kind] ?? [];
    if (!versions.includes(version) || !hasSchema(apiVersion, kind)) {
      diagnostics.push(
        diagnostic(
          doc.locate('/apiVersion'),
          'error',
          'unknown-api-version',
          `${kind} has no version ${apiVersion}`,
          `use ${versions.map((v) => `metallb.io/${v}`).join(' or ')}`,
        ),
      );
      return { type: 'skip' };
    }
    return { type: 'resource', apiVersion, kind, value };
  }
  if (group === 'metallb.universe.tf') {
    diagnostics.push(
      diagnostic(
        doc.locate('/apiVersion'),
        'error',
        'unknown-api-version',
        `${apiVersion} is not a MetalLB API group`,
        'the group is metallb.io (metallb.universe.tf is only used in annotations)',
      ),
    );
    return { type: 'skip' };
  }
  diagnostics.push(
    diagnostic(
      doc.locate('/kind'),
      'warning',
      'unknown-kind',
      `${kind} (${apiVersion}) is not a MetalLB configuration kind; it is ignored`,
      `lbops validates ${METALLB_KINDS.join(', ')} and the legacy ConfigMap`,
    ),
  );
  return { type: 'skip' };
}

function emptyCollected(): Collected {
  return { pools: [], l2: [], bgp: [], peers: [], bfd: [], communityResources: [], invalidNames: new Map() };
}

function markInvalid(collected: Collected, value: Record<string, unknown>, kind: string): void {
  const meta = isRecord(value['metadata']) ? value['metadata'] : {};
  if (typeof meta['name'] !== 'string') return;
  let set = collected.invalidNames.get(kind);
  if (set === undefined) collected.invalidNames.set(kind, (set = new Set()));
  set.add(meta['name']);
}

function hasName(value: Record<string, unknown>): boolean {
  const meta = value['metadata'];
  return isRecord(meta) && typeof meta['name'] === 'string' && meta['name'] !== '';
}

function addResource(
  collected: Collected,
  kind: string,
  value: Record<string, unknown>,
  ctx: BuildContext,
): void {
  switch (kind) {
    case 'IPAddressPool':
      collected.pools.push(buildPool(value, ctx));
      break;
    case 'L2Advertisement':
      collected.l2.push(buildL2Advertisement(value, ctx));
      break;
    case 'BGPAdvertisement':
      collected.bgp.push(buildBgpAdvertisement(value, ctx));
      break;
    case 'BGPPeer':
      collected.peers.push(buildBgpPeer(value, ctx));
      break;
    case 'BFDProfile':
      collected.bfd.push(buildBfdProfile(value, ctx));
      break;
    case 'Community': {
      const built = buildCommunities(value, ctx);
      collected.communityResources.push({ base: built.base, at: ctx.at, entries: built.entries });
      break;
    }
  }
}

/** Items of `kind: List` documents (as `kubectl get -o yaml` prints) are documents of their own. */
function expandLists(documents: readonly SourceDocument[]): SourceDocument[] {
  const out: SourceDocument[] = [];
  for (const doc of documents) {
    const v = doc.value;
    if (
      isRecord(v) &&
      typeof v['kind'] === 'string' &&
      v['kind'].endsWith('List') &&
      Array.isArray(v['items'])
    ) {
      (v['items'] as unknown[]).forEach((item, i) => out.push(subDocument(doc, `/items/${i}`, item)));
    } else out.push(doc);
  }
  return out;
}

interface LoadOutcome extends LoadConfigResult {
  readonly legacyResources: KubeObject[];
  readonly legacyConfigs: number;
}

function load(files: readonly ConfigFile[], options: LoadConfigOptions, legacyOnly: boolean): LoadOutcome {
  const diagnostics: Diagnostic[] = [];
  const collected = emptyCollected();
  const legacyResources: KubeObject[] = [];
  let legacyConfigs = 0;
  for (const file of files) {
    const parsed = parseYamlFile(file.name, file.content);
    diagnostics.push(...parsed.diagnostics);
    for (const doc of expandLists(parsed.documents)) {
      // For conversion, documents other than legacy configurations are ignored without a word.
      const c = classify(doc, legacyOnly ? [] : diagnostics);
      if (c.type === 'skip') continue;
      if (c.type === 'legacy-configmap' || c.type === 'legacy-bare') {
        legacyConfigs += 1;
        const legacy = readLegacy(
          doc,
          file.content,
          diagnostics,
          c.type === 'legacy-configmap' ? 'configmap' : 'bare',
        );
        if (legacy === undefined) continue;
        for (const res of legacy.converted) {
          legacyResources.push(res.object);
          const at: Locate = (pointer, key) =>
            legacy.doc.locate(res.origin(key === undefined ? pointer : `${pointer}/${key}`));
          addResource(collected, res.object.kind, res.object, {
            file: file.name,
            documentIndex: doc.documentIndex,
            origin: 'legacy-configmap',
            at,
            diagnostics,
          });
        }
        continue;
      }
      if (legacyOnly) continue;
      const problems = validateAgainstSchema(c.apiVersion, c.kind, c.value);
      // A resource with schema errors is still built (wrong-typed fields are skipped) so that every
      // problem is reported in one run; a nameless one (or one without its required spec) cannot take
      // part in cross-resource rules without cascading errors.
      const missingSpec = problems.some((p) => p.pointer === '' && p.missing === 'spec');
      if ((schemaDiagnostics(doc, problems, diagnostics) && !hasName(c.value)) || missingSpec) {
        markInvalid(collected, c.value, c.kind);
        continue;
      }
      const at: Locate = (pointer, key) => doc.locate(pointer, key);
      addResource(collected, c.kind, c.value, {
        file: file.name,
        documentIndex: doc.documentIndex,
        origin: 'crd',
        at,
        diagnostics,
      });
    }
  }
  const config = applySemanticRules(collected, diagnostics, options.context, options.bgpMode);
  const finished = finishDiagnostics(diagnostics);
  const failed = finished.some((d) => d.severity === 'error');
  return { config: failed ? undefined : config, diagnostics: finished, legacyResources, legacyConfigs };
}

/**
 * Parses and validates configuration files (multi-document YAML: metallb.io resources and legacy
 * ConfigMaps), applies MetalLB's rules across all of them at once, and returns the model with every
 * diagnostic. Pure: no files, no clock; it never throws on bad input.
 */
export function loadConfig(files: readonly ConfigFile[], options: LoadConfigOptions = {}): LoadConfigResult {
  const { config, diagnostics } = load(files, options, false);
  return { config, diagnostics };
}

export interface ConvertResult {
  /** metallb.io resources (plain objects), in input order; empty when nothing legacy was found or it was invalid. */
  readonly resources: KubeObject[];
  /** Problems of the legacy configurations (all rules, as loadConfig applies them to the legacy part alone). */
  readonly diagnostics: Diagnostic[];
  /** How many legacy configurations were found (ConfigMaps or bare `config` payloads). */
  readonly legacyConfigs: number;
}

/**
 * For `lbops convert`: finds legacy MetalLB configurations in the files (ConfigMaps holding a
 * `config` key, or bare legacy YAML), validates them with every rule and converts them with
 * MetalLB's mapping. Other documents are ignored. Any error means no resources.
 */
export function convertLegacyFiles(files: readonly ConfigFile[]): ConvertResult {
  const outcome = load(files, {}, true);
  const diagnostics = outcome.diagnostics.filter((d) => d.code !== 'legacy-config');
  const failed = diagnostics.some((d) => d.severity === 'error');
  return {
    resources: failed ? [] : outcome.legacyResources,
    diagnostics,
    legacyConfigs: outcome.legacyConfigs,
  };
}
