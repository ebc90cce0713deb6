/*
 * creditbank's independent verification harness: checks our credentials with
 * Digital Bazaar's VC libraries and `jose`, fully offline (see offline.mjs for
 * the document loader). Used by the Python tests through tests/interop/node.py.
 *
 * Protocol, one-shot mode: `node interop/verify.mjs` reads ONE JSON request
 * on stdin and writes ONE JSON answer (one line) on stdout. Exit code 0
 * whenever an answer was written, whatever the verdict. Exit 2: bad request
 * (not JSON, unknown action, missing or ill-typed field), message on stderr.
 * Exit 3: refused to start (a pinned context's sha256 does not match
 * index.json, or a pinned context differs from the npm-bundled one). Exit 1:
 * unexpected crash.
 *
 * Serve mode: `node interop/verify.mjs --serve` runs the same start-up checks
 * (exit 3 and the same stderr message before reading anything), then reads
 * one JSON request per line on stdin (blank lines are skipped) and writes one
 * line per request, in order, until stdin closes (exit 0):
 *   {"status": 0, "answer": ANSWER}   ANSWER exactly as the one-shot mode's
 *   {"status": 2|1, "error": str}     what the one-shot mode would exit with
 *                                     and write on stderr; the process goes on
 * It saves starting Node and loading the libraries per request (the tests use
 * it through tests/interop/node.py). Requests do not share state: each gets
 * its own document loader and suite; the contexts read at start are copied
 * per load; jsonld's shared context cache only keeps contexts given inline
 * (keyed by their JSON) or loaded with a "static" tag, which this loader
 * never sets, so a URL given in one request's "documents" is never seen by
 * another request.
 *
 * Every answer has "verified" (bool) and "errors" (list of strings, empty when
 * verified). An optional "now" (ISO date-time string) in a verify-di or
 * verify-jwt request replaces the current time for the credential's
 * validFrom/validUntil (and JWT exp/nbf) checks; status list credentials are
 * always checked at the real current time (the library gives no option).
 *
 * 1. {"action": "verify-di", "credential": {...}, "documents": {url: json},
 *     "checkStatus": false, "checkIssuer": true, "now": null}
 *    Verifies a VC (1.1 or 2.0) secured with DataIntegrityProof /
 *    eddsa-rdfc-2022 (one proof or a proof set) with @digitalbazaar/vc
 *    verifyCredential. With "checkIssuer" true (default) the purpose is the
 *    library's CredentialIssuancePurpose: the method must be listed under
 *    `assertionMethod` of its controller AND the controller's id must equal
 *    the credential's issuer (or issuer.id). "checkIssuer": false uses a plain
 *    AssertionProofPurpose (the W3C test vectors have an https issuer signed
 *    by a did:key).
 *    Answer: {"verified": bool, "errors": [str],
 *             "proofs": [{"verified": bool, "verificationMethod": str,
 *                         "errors": [str]}],
 *             "status": STATUS|null}
 *    "verified" is the library's verdict; for a proof set it is true when AT
 *    LEAST ONE proof verifies (jsonld-signatures' rule), so check "proofs"
 *    (one item per proof that was checked) to require all of them.
 *    STATUS is null unless "checkStatus" is true and the proof verified and
 *    the credential has a credentialStatus; otherwise:
 *      {"verified": bool,   // every BitstringStatusListEntry could be checked:
 *                           // list credential loaded (from "documents", by
 *                           // its URL) and verified, same issuer as the
 *                           // credential, purposes match, statusListIndex
 *                           // a base-10 string, list conforms (LIST RULES)
 *       "errors": [str],
 *       "entries": [{"statusPurpose": str, "statusListCredential": url,
 *                    "statusListIndex": str, "set": bool|null}],
 *       "revoked": bool,    // some "revocation" entry has its bit set
 *       "suspended": bool}  // some "suspension" entry has its bit set
 *    A set bit does NOT make "verified" false (as in the library): read
 *    status.revoked / status.suspended. A status that cannot be verified does
 *    make the top-level "verified" false.
 *
 * 2. {"action": "verify-jwt", "jwt": "<compact JWS>",
 *     "publicKeyJwk": {"kty": "OKP", "crv": "Ed25519", "x": "..."}, "now": null}
 *    Verifies with jose jwtVerify (algorithms ["EdDSA"]); the protected header
 *    "typ" must be exactly "vc+jwt"; exp/nbf are checked when present; the
 *    payload must pass @digitalbazaar/vc's credential checks (VC-JOSE-COSE:
 *    the payload is the credential: @context, type VerifiableCredential,
 *    issuer, credentialSubject, validFrom/validUntil...).
 *    Answer: {"verified": bool, "errors": [str], "header": {...}|null,
 *             "payload": {...}|null}   // header/payload only when the
 *                                      // signature verified
 *
 * 3. {"action": "status", "statusListCredential": {...}, "index": N,
 *     "purpose": "revocation"|"suspension", "documents": {...}}
 *    Reads bit N of a DI-signed BitstringStatusListCredential with
 *    @digitalbazaar/vc-bitstring-status-list checkStatus, through a synthetic
 *    credential whose BitstringStatusListEntry points at the list's `id` (the
 *    loader serves the list under that URL). "documents" holds the issuer's
 *    DID document when it is not a did:key.
 *    Answer: {"verified": bool,   // list credential verified (signature,
 *                                 // dates, type, purpose matches) and
 *                                 // conforms (LIST RULES)
 *             "set": bool|null,   // the bit; null when not verified
 *             "length": int|null, // bits in the decoded list
 *             "errors": [str]}
 *
 * 4. {"action": "verify-receipt", "credential": {...}, "receipt": {...},
 *     "checkpoint": "<signed note>", "logKey": "<verifier key>",
 *     "witnessKeys": ["<cosignature/v1 verifier key>", ...], "k": N}
 *    Checks a credential's self-contained ledger receipt (receipt.mjs) from
 *    the credential, the inclusion proof beside it ({"leaf_index",
 *    "tree_size", "hashes"}) and the checkpoint with its cosignatures alone.
 *    Answer: {"verified": bool, "codes": [str], "errors": ["code: why"],
 *             "leafHash": base64|null, "treeSize": int|null,
 *             "rootHash": base64|null, "cosignedBy": [witness name]}
 *
 * LIST RULES, checked by the harness on top of the library (which is more
 * lenient): credentialSubject.encodedList is "u" + base64url WITHOUT padding
 * of the GZIP-compressed bitstring, and the bitstring has at least 131072
 * bits (16 KiB). Bit order (the library's and the spec's): index 0 is the
 * most significant bit of the first byte of the decompressed list.
 */
import {createInterface} from 'node:readline';

import jsigs from 'jsonld-signatures';
import {_checkCredential, verifyCredential} from '@digitalbazaar/vc';
import {checkStatus, decodeList} from '@digitalbazaar/vc-bitstring-status-list';
import {importJWK, jwtVerify} from 'jose';

import {offlineLoader, staticContexts, verifySuite, VC_V2_CONTEXT_URL} from './offline.mjs';
import {checkReceipt} from './receipt.mjs';

const MIN_LIST_BITS = 131072;
const {AssertionProofPurpose} = jsigs.purposes;

class UsageError extends Error {}

function errorMessages(error, out = []) {
  if(!error) {
    return out;
  }
  if(Array.isArray(error)) {
    error.forEach(e => errorMessages(e, out));
    return out;
  }
  if(Array.isArray(error.errors) && error.errors.length > 0) {
    if(error.name !== 'VerificationError' && error.message) {
      out.push(error.message);
    }
    errorMessages(error.errors, out);
  } else {
    let message = error.message ?? String(error);
    // jsonld safe mode: say which term or value was dropped
    const event = error.details?.event;
    if(event) {
      message += ` ${event.code}: ${event.message}`;
      if(event.details) {
        message += ` ${JSON.stringify(event.details)}`;
      }
    }
    out.push(message);
  }
  if(error.cause) {
    errorMessages(error.cause, out);
  }
  if(error.details?.cause) {
    errorMessages(error.details.cause, out);
  }
  return out;
}

function unique(messages) {
  return [...new Set(messages.filter(m => typeof m === 'string' && m))];
}

function requireObject(request, name) {
  const value = request[name];
  if(!(value && typeof value === 'object' && !Array.isArray(value))) {
    throw new UsageError(`"${name}" must be a JSON object`);
  }
  return value;
}

function optionalNow(request) {
  if(request.now === undefined || request.now === null) {
    return undefined;
  }
  const now = new Date(request.now);
  if(typeof request.now !== 'string' || Number.isNaN(now.getTime())) {
    throw new UsageError('"now" must be an ISO date-time string');
  }
  return now;
}

function makeLoader(contexts, documents) {
  try {
    return offlineLoader({contexts, documents: documents ?? {}});
  } catch(error) {
    throw new UsageError(error.message);
  }
}

function statusEntries(credential) {
  const values = credential.credentialStatus;
  return (Array.isArray(values) ? values : [values])
    .filter(entry => entry && entry.type === 'BitstringStatusListEntry');
}

/**
 * Checks of a status list credential that the library leaves out (it accepts
 * padding, zlib and short lists): encodedList is multibase base64url ("u",
 * no padding) of GZIP data, and the list has at least 131072 bits.
 * Returns {length: bits|null, errors: [str]}.
 */
async function listConformance(listCredential) {
  const errors = [];
  const encodedList = listCredential?.credentialSubject?.encodedList;
  if(!(typeof encodedList === 'string' && /^u[A-Za-z0-9_-]+$/.test(encodedList))) {
    errors.push('encodedList must be "u" followed by base64url without padding');
  } else {
    const compressed = Buffer.from(encodedList.slice(1), 'base64url');
    if(!(compressed[0] === 0x1f && compressed[1] === 0x8b)) {
      errors.push('encodedList is not GZIP-compressed');
    }
  }
  let length = null;
  try {
    length = (await decodeList({encodedList})).length;
    if(length < MIN_LIST_BITS) {
      errors.push(`the list has ${length} bits; at least ${MIN_LIST_BITS} are required`);
    }
  } catch(error) {
    errors.push(...errorMessages(error));
  }
  return {length, errors};
}

/** Checks the library leaves to the caller for one BitstringStatusListEntry. */
async function conformanceErrors({entry, documentLoader}) {
  const errors = [];
  if(!(typeof entry.statusListIndex === 'string' &&
    /^(0|[1-9][0-9]*)$/.test(entry.statusListIndex))) {
    errors.push(
      'statusListIndex must be a base-10 integer string, got ' +
      JSON.stringify(entry.statusListIndex));
  }
  try {
    const {document} = await documentLoader(entry.statusListCredential);
    const {errors: listErrors} = await listConformance(document);
    errors.push(...listErrors.map(
      error => `status list ${entry.statusListCredential}: ${error}`));
  } catch(error) {
    errors.push(...errorMessages(error));
  }
  return errors;
}

async function statusReport({credential, documentLoader, suite}) {
  const result = await checkStatus({
    credential, documentLoader, suite,
    verifyBitstringStatusListCredential: true,
    verifyMatchingIssuers: true
  });
  const errors = errorMessages(result.error);
  const entries = statusEntries(credential).map(entry => ({
    statusPurpose: entry.statusPurpose,
    statusListCredential: entry.statusListCredential,
    statusListIndex: entry.statusListIndex,
    set: null
  }));
  for(const item of result.results ?? []) {
    if(!item.verified) {
      errors.push(...errorMessages(item.error));
      continue;
    }
    const index = statusEntries(credential).indexOf(item.credentialStatus);
    if(index >= 0) {
      entries[index].set = item.status;
    }
  }
  for(const entry of statusEntries(credential)) {
    errors.push(...await conformanceErrors({entry, documentLoader}));
  }
  const verified = result.verified === true && errors.length === 0;
  const isSet = purpose => entries.some(
    entry => entry.statusPurpose === purpose && entry.set === true);
  return {
    verified,
    errors: unique(errors),
    entries,
    revoked: isSet('revocation'),
    suspended: isSet('suspension')
  };
}

async function verifyDi(request, contexts) {
  const credential = requireObject(request, 'credential');
  const now = optionalNow(request);
  const documentLoader = makeLoader(contexts, request.documents);
  const suite = verifySuite();
  const purpose = request.checkIssuer === false ?
    new AssertionProofPurpose() : undefined;
  let status = null;
  const result = await verifyCredential({
    credential, suite, documentLoader, purpose, now,
    checkStatus: async () => {
      if(request.checkStatus !== true) {
        return {verified: true};
      }
      status = await statusReport({credential, documentLoader, suite});
      return {verified: status.verified};
    }
  });
  const errors = [errorMessages(result.error)];
  const proofs = [];
  for(const item of result.results ?? []) {
    const itemErrors = unique(errorMessages(item.error));
    errors.push(itemErrors);
    if(item.proof) {
      const method = item.proof.verificationMethod;
      proofs.push({
        verified: item.verified === true,
        verificationMethod: typeof method === 'object' ? method?.id : method,
        errors: item.verified === true ? [] : itemErrors
      });
    }
  }
  if(status) {
    errors.push(status.errors);
  }
  const verified = result.verified === true;
  const messages = unique(errors.flat());
  if(!verified && messages.length === 0) {
    messages.push('not verified (no reason given by the library)');
  }
  return {verified, errors: verified ? [] : messages, proofs, status};
}

async function verifyJwt(request) {
  if(typeof request.jwt !== 'string') {
    throw new UsageError('"jwt" must be a compact JWS string');
  }
  const jwk = requireObject(request, 'publicKeyJwk');
  const now = optionalNow(request);
  const errors = [];
  if(jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519') {
    errors.push('publicKeyJwk must be an OKP Ed25519 key');
    return {verified: false, errors, header: null, payload: null};
  }
  let header = null;
  let payload = null;
  try {
    const key = await importJWK(
      {kty: jwk.kty, crv: jwk.crv, x: jwk.x}, 'EdDSA');
    ({payload, protectedHeader: header} = await jwtVerify(request.jwt, key, {
      algorithms: ['EdDSA'],
      typ: 'vc+jwt',
      ...(now ? {currentDate: now} : {})
    }));
  } catch(error) {
    errors.push(error.code ? `${error.code}: ${error.message}` : error.message);
    return {verified: false, errors, header: null, payload: null};
  }
  if(header.typ !== 'vc+jwt') {
    errors.push(`protected header typ must be "vc+jwt", got ${JSON.stringify(header.typ)}`);
  }
  try {
    _checkCredential({credential: payload, now});
  } catch(error) {
    errors.push(`payload is not a valid credential: ${error.message}`);
  }
  return {verified: errors.length === 0, errors, header, payload};
}

async function readStatus(request, contexts) {
  const list = requireObject(request, 'statusListCredential');
  const {index, purpose} = request;
  if(!(Number.isInteger(index) && index >= 0)) {
    throw new UsageError('"index" must be a non-negative integer');
  }
  if(typeof purpose !== 'string') {
    throw new UsageError('"purpose" must be a string');
  }
  if(typeof list.id !== 'string') {
    return {
      verified: false, set: null, length: null,
      errors: ['the status list credential has no "id" URL']
    };
  }
  const documentLoader = makeLoader(
    contexts, {...request.documents, [list.id]: list});
  const entry = {
    id: `urn:creditbank:interop:status-entry:${index}`,
    type: 'BitstringStatusListEntry',
    statusPurpose: purpose,
    statusListIndex: String(index),
    statusListCredential: list.id
  };
  const synthetic = {
    '@context': [VC_V2_CONTEXT_URL],
    type: ['VerifiableCredential'],
    issuer: list.issuer,
    credentialSubject: {id: 'urn:creditbank:interop:subject'},
    credentialStatus: entry
  };
  const result = await checkStatus({
    credential: synthetic, documentLoader, suite: verifySuite(),
    verifyBitstringStatusListCredential: true,
    verifyMatchingIssuers: false
  });
  const errors = errorMessages(result.error);
  let set = null;
  for(const item of result.results ?? []) {
    if(item.verified) {
      set = item.status;
    } else {
      errors.push(...errorMessages(item.error));
    }
  }
  const {length, errors: listErrors} = await listConformance(list);
  errors.push(...listErrors);
  const verified = result.verified === true && errors.length === 0;
  return {
    verified, set: verified ? set : null, length, errors: unique(errors)
  };
}

async function verifyReceipt(request) {
  requireObject(request, 'credential');
  requireObject(request, 'receipt');
  if(typeof request.checkpoint !== 'string' || typeof request.logKey !== 'string') {
    throw new UsageError('"checkpoint" and "logKey" must be strings');
  }
  if(!(Array.isArray(request.witnessKeys) &&
    request.witnessKeys.every(key => typeof key === 'string'))) {
    throw new UsageError('"witnessKeys" must be a list of strings');
  }
  if(!(Number.isInteger(request.k) && request.k >= 0)) {
    throw new UsageError('"k" must be a non-negative integer');
  }
  return checkReceipt(request);
}

const ACTIONS = {
  'verify-di': verifyDi,
  'verify-jwt': verifyJwt,
  'verify-receipt': verifyReceipt,
  status: readStatus
};

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Answers one request (its JSON text): {status: 0, answer} or {status, error}
 * where status is the one-shot exit code (2: bad request, 1: crash) and error
 * the message the one-shot mode writes on stderr.
 */
async function handle(text, contexts, what) {
  let request;
  try {
    request = JSON.parse(text);
  } catch(error) {
    return {
      status: 2,
      error: `verify.mjs: ${what} is not one JSON request: ${error.message}`
    };
  }
  const action = ACTIONS[request?.action];
  if(!action) {
    return {
      status: 2,
      error: `verify.mjs: unknown action ${JSON.stringify(request?.action)}; ` +
        `expected one of ${Object.keys(ACTIONS).join(', ')}`
    };
  }
  try {
    return {status: 0, answer: await action(request, contexts)};
  } catch(error) {
    if(error instanceof UsageError) {
      return {status: 2, error: `verify.mjs: bad request: ${error.message}`};
    }
    return {status: 1, error: `verify.mjs crashed: ${error.stack ?? error}`};
  }
}

/** One-shot mode: one request on stdin, its answer on stdout; the exit code. */
async function oneShot(contexts) {
  const {status, answer, error} = await handle(
    await readStdin(), contexts, 'stdin');
  if(status !== 0) {
    process.stderr.write(`${error}\n`);
    return status;
  }
  process.stdout.write(JSON.stringify(answer) + '\n');
  return 0;
}

/** Serve mode (--serve): one request per line, one answer line each, until EOF. */
async function serve(contexts) {
  const lines = createInterface({input: process.stdin, crlfDelay: Infinity});
  for await (const line of lines) {
    if(line.trim() === '') {
      continue;
    }
    const {status, answer, error} = await handle(line, contexts, 'the line');
    process.stdout.write(JSON.stringify(
      status === 0 ? {status, answer} : {status, error}) + '\n');
  }
  return 0;
}

async function main() {
  const mode = process.argv.slice(2);
  if(!(mode.length === 0 || (mode.length === 1 && mode[0] === '--serve'))) {
    process.stderr.write(
      `verify.mjs: unknown arguments ${JSON.stringify(mode)}; ` +
      'expected none (one request) or --serve\n');
    return 2;
  }
  let contexts;
  try {
    contexts = staticContexts();
  } catch(error) {
    process.stderr.write(`verify.mjs refuses to start: ${error.message}\n`);
    return 3;
  }
  return mode.length === 0 ? oneShot(contexts) : serve(contexts);
}

process.exitCode = await main();
