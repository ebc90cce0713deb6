/*
 * Test-only signer: makes Data Integrity (eddsa-rdfc-2022) fixtures with the
 * same Node libraries, so the harness's own tests can exercise did:web and
 * Bitstring Status List verification before creditbank's Python signer
 * exists. Never used to verify anything, never used by the bank itself.
 *
 * Reads ONE JSON request on stdin, writes ONE JSON answer on stdout.
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
    return {
      keyPair: methodFor({purpose: 'assertionMethod'}), didDocument
    };
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

async function sign({request, credential, keyPair, didDocument}) {
  const documents = {...request.documents, [didDocument.id]: didDocument};
  const documentLoader = offlineLoader({contexts: staticContexts(), documents});
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

async function issueCredential(request) {
  const {keyPair, didDocument} = await keyFor(request);
  const credential = {issuer: didDocument.id, ...request.credential};
  return sign({request, credential, keyPair, didDocument});
}

async function statusList(request) {
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
  return sign({request, credential, keyPair, didDocument});
}

const ACTIONS = {issue: issueCredential, 'status-list': statusList};

const chunks = [];
for await (const chunk of process.stdin) {
  chunks.push(chunk);
}
const request = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const action = ACTIONS[request.action];
if(!action) {
  process.stderr.write(`sign-fixture.mjs: unknown action ${JSON.stringify(request.action)}\n`);
  process.exitCode = 2;
} else {
  process.stdout.write(JSON.stringify(await action(request)) + '\n');
}
