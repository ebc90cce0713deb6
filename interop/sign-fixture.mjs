/*
 * Test-only signer: makes Data Integrity (eddsa-rdfc-2022) fixtures with the
 * same Node libraries, so the harness's own tests can exercise did:web and
 * Bitstring Status List verification before creditbank's Python signer
 * exists. Never used to verify anything, never used by the bank itself.
 *
 * Reads ONE JSON request on stdin, writes ONE JSON answer on stdout (exit 0;
 * 2: unknown action; 1: crash; 3: refused to start, the pinned contexts'
 * checks of offline.mjs failing, message on stderr). With `--serve`, after the
 * same start-up checks, it reads one request per line and writes one line
 * each, {"status": 0, "answer": ANSWER} or {"status": 2|1, "error": str}, as
 * verify.mjs --serve does, until stdin closes.
 * Keys are derived from "seed" (64 hex characters), so fixtures are
 * deterministic. "did" is "did:key" (the did:key of the seed's key) or a
 * did:web DID (its method is "<did>#key-1", Multikey, in a DID document shaped
 * like creditbank's). "created" (optional) fixes the proof's date.
 *
 * {"action": "issue", "seed", "did", "credential": {...}, "created"}
 *   signs the credential (its "issuer" defaults to the DID).
 * {"action": "status-list", "seed", "did", "id": url, "statusPurpose",
 *  "length": bits, "set": [indices], "validFrom", "created"}
 *   builds a BitstringStatusListCredential with the library's createList /
 *   createCredential, sets the given bits, and signs it; "encodedList", if
 *   given, replaces the library's encoding before signing (to make
 *   non-conforming lists).
 * Answer: {"credential": signed, "didDocument": {...},
 *          "verificationMethod": id, "publicKeyMultibase": "z6Mk..."}
 */
import {createInterface} from 'node:readline';

import {issue} from '@digitalbazaar/vc';
import {createCredential, createList} from '@digitalbazaar/vc-bitstring-status-list';

import {
  didKeyDriver, Ed25519Multikey, MULTIKEY_CONTEXT_URL, offlineLoader, signSuite,
  staticContexts
} from './offline.mjs';

const DID_CONTEXT_URL = 'https://www.w3.org/ns/did/v1';

async function keyFor({seed, did}) {
  if(!(typeof seed === 'string' && /^[0-9a-f]{64}$/i.test(seed))) {
    throw new TypeError('"seed" must be 64 hex characters');
  }
  const seedBytes = Uint8Array.from(Buffer.from(seed, 'hex'));
  if(did === 'did:key') {
    const keyPair = await Ed25519Multikey.generate({seed: seedBytes});
    const {didDocument, methodFor} = await didKeyDriver.fromKeyPair({
      verificationKeyPair: keyPair
    });
    // methodFor's key pair has no secret key: sign with ours, named as it is
    const {id, controller} = methodFor({purpose: 'assertionMethod'});
    Object.assign(keyPair, {id, controller});
    return {keyPair, didDocument};
  }
  if(typeof did !== 'string' || !did.startsWith('did:')) {
    throw new TypeError('"did" must be "did:key" or a DID');
  }
  const id = `${did}#key-1`;
  const keyPair = await Ed25519Multikey.generate({
    seed: seedBytes, id, controller: did
  });
  const didDocument = {
    '@context': [DID_CONTEXT_URL, MULTIKEY_CONTEXT_URL],
    id: did,
    verificationMethod: [{
      id, type: 'Multikey', controller: did,
      publicKeyMultibase: keyPair.publicKeyMultibase
    }],
    assertionMethod: [id]
  };
  return {keyPair, didDocument};
}

async function sign({request, contexts, credential, keyPair, didDocument}) {
  const documents = {...request.documents, [didDocument.id]: didDocument};
  const documentLoader = offlineLoader({contexts, documents});
  const date = request.created ? new Date(request.created) : undefined;
  const signed = await issue({
    credential, suite: signSuite({keyPair, date}), documentLoader
  });
  return {
    credential: signed,
    didDocument,
    verificationMethod: keyPair.id,
    publicKeyMultibase: keyPair.publicKeyMultibase
  };
}

async function issueCredential(request, contexts) {
  const {keyPair, didDocument} = await keyFor(request);
  const credential = {issuer: didDocument.id, ...request.credential};
  return sign({request, contexts, credential, keyPair, didDocument});
}

async function statusList(request, contexts) {
  const {keyPair, didDocument} = await keyFor(request);
  const list = await createList({length: request.length ?? 131072});
  for(const index of request.set ?? []) {
    list.setStatus(index, true);
  }
  const unsigned = await createCredential({
    id: request.id, list, statusPurpose: request.statusPurpose
  });
  const credential = {
    ...unsigned,
    issuer: didDocument.id,
    ...(request.validFrom ? {validFrom: request.validFrom} : {})
  };
  if(request.encodedList !== undefined) {
    credential.credentialSubject.encodedList = request.encodedList;
  }
  return sign({request, contexts, credential, keyPair, didDocument});
}

const ACTIONS = {issue: issueCredential, 'status-list': statusList};

/** {status: 0, answer} or {status: 2|1, error} (the one-shot exit code and stderr). */
async function handle(text, contexts) {
  let request;
  try {
    request = JSON.parse(text);
  } catch(error) {
    return {status: 1, error: `sign-fixture.mjs crashed: ${error.stack ?? error}`};
  }
  const action = ACTIONS[request?.action];
  if(!action) {
    return {
      status: 2,
      error: `sign-fixture.mjs: unknown action ${JSON.stringify(request?.action)}`
    };
  }
  try {
    return {status: 0, answer: await action(request, contexts)};
  } catch(error) {
    return {status: 1, error: `sign-fixture.mjs crashed: ${error.stack ?? error}`};
  }
}

async function main() {
  const mode = process.argv.slice(2);
  if(!(mode.length === 0 || (mode.length === 1 && mode[0] === '--serve'))) {
    process.stderr.write(
      `sign-fixture.mjs: unknown arguments ${JSON.stringify(mode)}; ` +
      'expected none (one request) or --serve\n');
    return 2;
  }
  let contexts;
  try {
    contexts = staticContexts();
  } catch(error) {
    process.stderr.write(`sign-fixture.mjs refuses to start: ${error.message}\n`);
    return 3;
  }
  if(mode.length === 1) {
    const lines = createInterface({input: process.stdin, crlfDelay: Infinity});
    for await (const line of lines) {
      if(line.trim() !== '') {
        const {status, answer, error} = await handle(line, contexts);
        process.stdout.write(JSON.stringify(
          status === 0 ? {status, answer} : {status, error}) + '\n');
      }
    }
    return 0;
  }
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  const {status, answer, error} = await handle(
    Buffer.concat(chunks).toString('utf8'), contexts);
  if(status !== 0) {
    process.stderr.write(`${error}\n`);
    return status;
  }
  process.stdout.write(JSON.stringify(answer) + '\n');
  return 0;
}

process.exitCode = await main();
