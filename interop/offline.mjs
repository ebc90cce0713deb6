/*
 * Shared by verify.mjs and sign-fixture.mjs: the offline document loader, DID
 * resolution without a network, and the Data Integrity suite.
 *
 * The loader answers, in this order:
 *   1. JSON-LD contexts pinned by the repository: every entry of
 *      src/creditbank/credentials/contexts/index.json (url -> {file, sha256});
 *      each file's SHA-256 is checked when the module loads, and a mismatch,
 *      a missing file or a malformed index makes `loadPinnedContexts` throw
 *      (the scripts then refuse to start). CREDITBANK_INTEROP_CONTEXTS points
 *      at another folder of the same shape (used by the harness's own tests).
 *   2. Contexts bundled by the installed npm packages and not pinned by the
 *      repository (VC v1, the v1 Bitstring Status List context, security v1/v2,
 *      undefined-terms v2). A URL present in both must hold the same JSON,
 *      or the loader refuses to start.
 *   3. DIDs and DID URLs (see resolveDid below).
 *   4. The request's `documents` (url -> JSON object).
 * Any other URL throws `not in the offline loader: URL`. Nothing is fetched:
 * global fetch is replaced by a function that throws.
 */
import {createHash} from 'node:crypto';
import {readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

import {contexts as credentialsContexts} from '@digitalbazaar/credentials-context';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import * as didMethodKey from '@digitalbazaar/did-method-key';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import securityContext from '@digitalbazaar/security-context';
import {contexts as statusListContexts} from '@digitalbazaar/vc-bitstring-status-list-context';

globalThis.fetch = async url => {
  throw new Error(`network access is disabled in the interop harness: ${url}`);
};

const HERE = dirname(fileURLToPath(import.meta.url));
export const CONTEXTS_DIR = process.env.CREDITBANK_INTEROP_CONTEXTS ||
  join(HERE, '..', 'src', 'creditbank', 'credentials', 'contexts');

export const MULTIKEY_CONTEXT_URL = 'https://w3id.org/security/multikey/v1';
export const VC_V2_CONTEXT_URL = 'https://www.w3.org/ns/credentials/v2';

/** The repository's pinned contexts: Map url -> parsed JSON; throws on any mismatch. */
export function loadPinnedContexts(dir = CONTEXTS_DIR) {
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
  const pinned = new Map();
  for(const [url, entry] of Object.entries(index)) {
    if(!(entry && typeof entry.file === 'string' &&
      typeof entry.sha256 === 'string')) {
      throw new Error(`index.json: entry for ${url} needs "file" and "sha256"`);
    }
    const bytes = readFileSync(join(dir, entry.file));
    const digest = createHash('sha256').update(bytes).digest('hex');
    if(digest !== entry.sha256.toLowerCase()) {
      throw new Error(
        `sha256 mismatch for ${url}: ${entry.file} hashes to ${digest}, ` +
        `index.json says ${entry.sha256}`);
    }
    pinned.set(url, JSON.parse(bytes.toString('utf8')));
  }
  return pinned;
}

function bundledContexts() {
  const bundled = new Map();
  for(const map of [
    credentialsContexts, statusListContexts, securityContext.contexts
  ]) {
    for(const [url, document] of map) {
      bundled.set(url, document);
    }
  }
  return bundled;
}

function sameJson(a, b) {
  return JSON.stringify(canonicalJson(a)) === JSON.stringify(canonicalJson(b));
}

function canonicalJson(value) {
  if(Array.isArray(value)) {
    return value.map(canonicalJson);
  }
  if(value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort()
      .map(key => [key, canonicalJson(value[key])]));
  }
  return value;
}

/** All static contexts (pinned first, then package-bundled); throws on a conflict. */
export function staticContexts(dir = CONTEXTS_DIR) {
  const pinned = loadPinnedContexts(dir);
  const all = new Map(pinned);
  for(const [url, document] of bundledContexts()) {
    if(pinned.has(url)) {
      if(!sameJson(pinned.get(url), document)) {
        throw new Error(
          `the pinned context ${url} differs from the one bundled by npm`);
      }
      continue;
    }
    all.set(url, document);
  }
  return all;
}

const didKeyDriver = didMethodKey.driver();
didKeyDriver.use({
  multibaseMultikeyHeader: 'z6Mk',
  fromMultibase: Ed25519Multikey.from
});

/**
 * The did:web DID document URL of a did:web DID (W3C did:web method):
 * did:web:localhost%3A8000:institutions:SHAC ->
 * https://localhost:8000/institutions/SHAC/did.json
 */
export function didWebDocumentUrl(did) {
  const parts = did.slice('did:web:'.length).split(':')
    .map(part => decodeURIComponent(part));
  if(parts.length === 1) {
    return `https://${parts[0]}/.well-known/did.json`;
  }
  return `https://${parts.join('/')}/did.json`;
}

const VM_RELATIONSHIPS = [
  'verificationMethod', 'assertionMethod', 'authentication',
  'capabilityInvocation', 'capabilityDelegation', 'keyAgreement'
];

function findVerificationMethod({didDocument, did, url}) {
  for(const relationship of VM_RELATIONSHIPS) {
    const values = didDocument[relationship];
    for(const method of Array.isArray(values) ? values : [values]) {
      if(!(method && typeof method === 'object' &&
        typeof method.id === 'string')) {
        continue;
      }
      if(method.id === url || `${did}${method.id}` === url) {
        return method;
      }
    }
  }
  return undefined;
}

/**
 * Resolves a DID or DID URL offline.
 *  - did:key (Ed25519, z6Mk...): generated by @digitalbazaar/did-method-key
 *    with the Ed25519 Multikey driver: the DID document for a DID, the
 *    verification method (with the Multikey @context) for a DID URL.
 *  - any other DID (did:web...): the DID document must be in `documents`,
 *    keyed by the DID itself or, for did:web, by its did.json URL; its `id`
 *    must equal the DID. A DID URL `DID#frag` is answered with `documents`'
 *    entry for that exact URL if there is one, otherwise with the verification
 *    method of that id found in the DID document (in `verificationMethod` or
 *    embedded in a verification relationship), given an `@context`
 *    (the Multikey context for a `Multikey`, as did-method-key does, else the
 *    DID document's) when it has none. jsonld-signatures then loads the
 *    method's `controller` (the DID document) to check that the method is
 *    listed under the proof purpose (`assertionMethod`).
 */
export async function resolveDid(url, documents) {
  if(url.startsWith('did:key:')) {
    return didKeyDriver.get({url});
  }
  if(documents.has(url)) {
    return structuredClone(documents.get(url));
  }
  const [did, fragment] = url.split('#');
  let didDocument = documents.get(did);
  if(didDocument === undefined && did.startsWith('did:web:')) {
    didDocument = documents.get(didWebDocumentUrl(did));
  }
  if(didDocument === undefined) {
    throw new Error(`not in the offline loader: ${url}`);
  }
  if(didDocument.id !== did) {
    throw new Error(
      `the DID document given for ${did} has id ${JSON.stringify(didDocument.id)}`);
  }
  if(fragment === undefined) {
    return structuredClone(didDocument);
  }
  const method = findVerificationMethod({didDocument, did, url});
  if(!method) {
    throw new Error(`verification method ${url} is not in the DID document of ${did}`);
  }
  const context = method['@context'] ??
    (method.type === 'Multikey' ? MULTIKEY_CONTEXT_URL : didDocument['@context']);
  return structuredClone({'@context': context, ...method, id: url});
}

/**
 * A jsonld document loader that never fetches. `documents` is the request's
 * {url: JSON}; it may not redefine a static context.
 */
export function offlineLoader({contexts, documents = {}}) {
  if(!(documents && typeof documents === 'object' && !Array.isArray(documents))) {
    throw new TypeError('"documents" must be an object mapping URLs to JSON');
  }
  const extra = new Map();
  for(const [url, value] of Object.entries(documents)) {
    if(contexts.has(url)) {
      throw new TypeError(`"documents" may not replace the pinned context ${url}`);
    }
    extra.set(url, typeof value === 'string' ? JSON.parse(value) : value);
  }
  const loader = async url => {
    let document;
    if(contexts.has(url)) {
      document = structuredClone(contexts.get(url));
    } else if(url.startsWith('did:')) {
      document = await resolveDid(url, extra);
    } else if(extra.has(url)) {
      document = structuredClone(extra.get(url));
    } else {
      throw new Error(`not in the offline loader: ${url}`);
    }
    return {contextUrl: null, documentUrl: url, document};
  };
  loader.documents = extra;
  return loader;
}

/** A DataIntegrityProof suite for eddsa-rdfc-2022, to verify (no signer). */
export function verifySuite() {
  return new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
}

/** A DataIntegrityProof suite for eddsa-rdfc-2022 that signs with `keyPair`. */
export function signSuite({keyPair, date}) {
  return new DataIntegrityProof({
    signer: keyPair.signer(), date, cryptosuite: eddsaRdfc2022
  });
}

export {didKeyDriver, Ed25519Multikey};
