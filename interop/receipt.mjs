/*
 * An independent check of creditbank's self-contained ledger receipts, from
 * the credential and what travels beside it alone: no bank, no network.
 *
 * Written from the public formats, not from the bank's Python:
 *  - the commitment: SHA-256(RFC 8785 JSON of the record || salt), the record
 *    rebuilt from the receipt's "record" and the fields the credential itself
 *    states (item, level, credits, score, date, institution, the learner's
 *    identity hash), so that a
 *    credential changed after issue no longer matches;
 *  - the entry: RFC 8785 JSON of {v, kind, id, issuer, time, commitment};
 *    its leaf hash SHA-256(0x00 || entry) and its inclusion proof (RFC 9162
 *    section 2.1.3.2);
 *  - the checkpoint (c2sp.org/tlog-checkpoint) as a signed note
 *    (c2sp.org/signed-note, Ed25519, key ID = SHA-256(name || 0x0A || 0x01 ||
 *    key)[:4]) and its witnesses' cosignatures (c2sp.org/tlog-cosignature,
 *    cosignature/v1: type 0x04, 8-byte big-endian time || Ed25519 signature of
 *    "cosignature/v1\ntime <t>\n" + checkpoint text).
 * RFC 8785 by the `canonicalize` package; SHA-256 and Ed25519 by node:crypto.
 *
 * checkReceipt({credential, receipt, checkpoint, logKey, witnessKeys, k})
 * answers {verified, codes: [str], errors: ["code: why", ...], leafHash,
 * treeSize, rootHash, cosignedBy: [name]}. The codes are the bank's own
 * (credentials/verifier/receipt.py), so that the two verdicts can be compared.
 */
import {createHash, createPublicKey, verify as verifySignature} from 'node:crypto';

import canonicalize from 'canonicalize';

const RECEIPT_FORMAT = 'creditbank-receipt/2';
const RECEIPT_GENRE = 'LedgerReceipt';
const FRAMEWORK_LEVEL = 'ext:FrameworkLevel';
const ENTRY_FIELDS = ['id', 'issuer', 'kind', 'time', 'v'];
const ACHIEVEMENT_TYPES = {
  qualification: 'Diploma',
  course: 'Course',
  x_certificate: 'Certificate',
  vocational_qualification: 'Certification',
  training_certificate: 'Certificate',
  achievement: 'Award',
  accreditation_unit: 'Competency',
  transferred_credit: 'ext:TransferredCredit'
};
const STATED = [
  'institution', 'item_owner', 'item_code', 'level_framework',
  'level_framework_version', 'level_code', 'credits', 'score', 'assessed_on', 'learner'
];
const ED25519 = 0x01;
const COSIGNATURE_V1 = 0x04;
const EM_DASH_PREFIX = '\u2014 ';
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

class Failure extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

const sha256 = (...parts) => {
  const hash = createHash('sha256');
  parts.forEach(part => hash.update(part));
  return hash.digest();
};

function decodeBase64(text) {
  if(typeof text !== 'string' || !BASE64.test(text)) {
    return null;
  }
  return Buffer.from(text, 'base64');
}

// --- the receipt and the record -------------------------------------------

function malformed(detail) {
  return new Failure('malformed_receipt',
    `the credential's ledger receipt is malformed: ${detail}`);
}

function mismatch(detail) {
  return new Failure('credential_mismatch',
    `the credential cannot be the record the bank committed to: ${detail}`);
}

function embeddedReceipt(credential) {
  const evidence = (Array.isArray(credential.evidence) ? credential.evidence : [])
    .find(item => item && typeof item === 'object' && item.genre === RECEIPT_GENRE);
  if(!evidence || typeof evidence.narrative !== 'string' ||
    !evidence.narrative.startsWith('{')) {
    throw new Failure('no_receipt',
      'the credential carries no self-contained ledger receipt (salt and record)');
  }
  let data;
  try {
    data = JSON.parse(evidence.narrative);
  } catch {
    throw malformed('its narrative is not JSON');
  }
  if(data?.receipt !== RECEIPT_FORMAT) {
    throw malformed(`it is not a ${RECEIPT_FORMAT} receipt`);
  }
  let id;
  try {
    id = new URL(evidence.id);
  } catch {
    throw malformed('its id is not a URL');
  }
  const leafIndex = Number(id.searchParams.get('leaf_index'));
  const leafHash = id.searchParams.get('leaf_hash');
  if(!Number.isSafeInteger(leafIndex) || !leafHash ||
    data.leaf_index !== leafIndex || data.leaf_hash !== leafHash) {
    throw malformed('its leaf index or leaf hash differs from its id\'s');
  }
  const {entry, record, log, salt} = data;
  if(!(entry && typeof entry === 'object' &&
    JSON.stringify(Object.keys(entry).sort()) === JSON.stringify(ENTRY_FIELDS))) {
    throw malformed(`its entry must have exactly ${ENTRY_FIELDS.join(', ')}`);
  }
  if(!(record && typeof record === 'object' && !Array.isArray(record)) ||
    typeof log !== 'string' || !log) {
    throw malformed('it needs the log\'s origin and the record');
  }
  if(!(typeof salt === 'string' && /^[0-9a-f]{32}$/.test(salt))) {
    throw malformed('its salt must be 32 lower-case hexadecimal digits');
  }
  return {log, leafIndex, leafHash, entry, record, salt: Buffer.from(salt, 'hex')};
}

function text(value, what) {
  if(typeof value !== 'string' || !value) {
    throw mismatch(`its ${what} is not text`);
  }
  return value;
}

function achievementOf(credential) {
  const achievement = credential.credentialSubject?.achievement;
  if(!(achievement && typeof achievement === 'object')) {
    throw mismatch('the credential names no achievement');
  }
  return achievement;
}

function pathOf(value, what) {
  try {
    return new URL(text(value, what));
  } catch(error) {
    if(error instanceof Failure) {
      throw error;
    }
    throw mismatch(`its ${what} is not a URL`);
  }
}

/** The record's fields the credential states, read from the credential. */
function statedFacts(credential) {
  const subject = credential.credentialSubject;
  if(!(subject && typeof subject === 'object')) {
    throw mismatch('the credential has no subject');
  }
  const achievement = achievementOf(credential);
  const item = pathOf(achievement.id, 'achievement id').pathname.split('/');
  if(item.length < 3 || item.at(-3) !== 'catalog') {
    throw mismatch('its achievement id is not a catalogue item\'s URL');
  }
  if(achievement.humanCode !== item.at(-1)) {
    throw mismatch('its achievement\'s humanCode is not the code its id names');
  }
  const levels = (Array.isArray(achievement.alignment) ? achievement.alignment : [])
    .filter(alignment => alignment?.targetType === FRAMEWORK_LEVEL);
  if(levels.length !== 1) {
    throw mismatch('it must name exactly one level it is awarded at');
  }
  const level = pathOf(levels[0].targetUrl, 'level\'s URL');
  const levelCode = text(levels[0].targetCode, 'level code');
  const framework = level.pathname.split('/');
  const versions = level.searchParams.getAll('version');
  if(framework.length < 2 || framework.at(-2) !== 'frameworks' || versions.length !== 1) {
    throw mismatch('its level\'s URL is not a framework version\'s');
  }
  if(level.hash !== `#level-${levelCode}`) {
    throw mismatch('its level\'s URL names another level than its code');
  }
  if(!/^(0|[1-9][0-9]*)$/.test(versions[0])) {
    throw mismatch('its level\'s framework version is not a whole number');
  }
  const scores = (Array.isArray(subject.result) ? subject.result : [])
    .filter(result => String(result?.resultDescription ?? '').endsWith('#score'))
    .map(result => result.value);
  if(scores.length > 1) {
    throw mismatch('it states more than one score');
  }
  const day = /^([0-9]{4}-[0-9]{2}-[0-9]{2})T00:00:00Z$/;
  const awarded = day.exec(String(credential.awardedDate ?? ''));
  const ended = day.exec(String(subject.activityEndDate ?? ''));
  if(!awarded || !ended || awarded[1] !== ended[1]) {
    throw mismatch('its awardedDate and activityEndDate must be the same day at 00:00Z');
  }
  const issuer = pathOf(credential.issuer?.url, 'issuer\'s URL').pathname.split('/');
  if(issuer.length < 2 || issuer.at(-2) !== 'institutions' || !issuer.at(-1)) {
    throw mismatch('its issuer\'s URL is not an institution\'s');
  }
  return {
    institution: issuer.at(-1),
    item_owner: item.at(-2),
    item_code: item.at(-1),
    level_framework: framework.at(-1),
    level_framework_version: Number(versions[0]),
    level_code: levelCode,
    credits: Object.hasOwn(subject, 'creditsEarned') ? oneDecimal(subject.creditsEarned) : null,
    score: scores.length ? text(scores[0], 'score') : null,
    assessed_on: awarded[1],
    // the learner as the record names them: the account number's identity hash, salted with
    // the outcome's public id (the credential states it; no account number travels)
    learner: text(identityOf(credential).identityHash, 'identifier.identityHash')
  };
}

/** A JSON number as decimal text with one decimal (3 is "3.0"); else text no record holds. */
function oneDecimal(value) {
  if(typeof value !== 'number') {
    return JSON.stringify(value);
  }
  const written = String(value);
  const found = /^(0|[1-9][0-9]*)(\.[0-9])?$/.exec(written);
  return found && !found[2] ? `${written}.0` : written;
}

/** The one hashed IdentityObject that names the learner. */
function identityOf(credential) {
  const identifiers = credential.credentialSubject?.identifier;
  const identities = (Array.isArray(identifiers) ? identifiers : [])
    .filter(item => item?.type === 'IdentityObject');
  if(identities.length !== 1 || identities[0].hashed !== true) {
    throw mismatch('it must name its learner by exactly one hashed identity');
  }
  return identities[0];
}

function checkTied(credential, receipt, stated) {
  const {record, entry} = receipt;
  const expected = Object.hasOwn(ACHIEVEMENT_TYPES, String(record.item_kind)) ?
    ACHIEVEMENT_TYPES[record.item_kind] : 'Achievement';
  if(achievementOf(credential).achievementType !== expected) {
    throw mismatch(`its achievementType is not that of a ${record.item_kind}`);
  }
  const sources = (Array.isArray(credential.evidence) ? credential.evidence : [])
    .filter(item => item?.genre === 'TransferSource')
    .map(item => String(item.id ?? '').split('?')[0].split('#')[0].split('/').at(-2) ?? '');
  if((record.transfer_sources ?? null) !== (sources.length ? sources.join(' ') : null)) {
    throw mismatch('the outcomes it was transferred from are not those the bank logged');
  }
  if(entry.issuer !== stated.institution) {
    throw mismatch('it is issued by another institution than the one the bank logged');
  }
  if(entry.id !== record.public_id) {
    throw malformed('its entry\'s id is not its record\'s public_id');
  }
  if(record.bank !== receipt.log) {
    throw malformed('its record\'s bank is not its log');
  }
}

function rebuiltLeaf(credential, receipt) {
  const restated = STATED.filter(name => Object.hasOwn(receipt.record, name)).sort();
  if(restated.length) {
    throw malformed(
      `its record restates what the credential states: ${restated.join(', ')}`);
  }
  const stated = statedFacts(credential);
  checkTied(credential, receipt, stated);
  const record = {...receipt.record, ...stated};
  const commitment = sha256(Buffer.from(canonicalize(record), 'utf8'), receipt.salt);
  const entry = canonicalize({...receipt.entry, commitment: commitment.toString('hex')});
  return sha256(Buffer.from([0x00]), Buffer.from(entry, 'utf8'));
}

// --- signed notes, checkpoints, cosignatures ------------------------------

function keyId(name, type, publicKey) {
  return sha256(Buffer.from(`${name}\n`, 'utf8'), Buffer.from([type]), publicKey)
    .subarray(0, 4).readUInt32BE(0);
}

function readVerifierKey(text, type) {
  // name+hex8+base64: the base64 may hold '+' itself
  const [name, hex8, ...rest] = String(text).split('+');
  const key = decodeBase64(rest.join('+'));
  if(!name || !/^[0-9a-fA-F]{8}$/.test(hex8 ?? '') || !key ||
    key.length !== 33 || key[0] !== type ||
    keyId(name, type, key.subarray(1)) !== parseInt(hex8, 16)) {
    return null;
  }
  return {
    name,
    id: parseInt(hex8, 16),
    key: createPublicKey({
      key: {kty: 'OKP', crv: 'Ed25519', x: key.subarray(1).toString('base64url')},
      format: 'jwk'
    })
  };
}

function openNote(note) {
  if(typeof note !== 'string') {
    throw new Failure('malformed_checkpoint', 'the checkpoint is not a signed note: not text');
  }
  const split = note.lastIndexOf('\n\n');
  if(split < 0 || !note.endsWith('\n')) {
    throw new Failure('malformed_checkpoint',
      'the checkpoint is not a signed note: no blank line before its signatures');
  }
  const body = note.slice(0, split + 1);
  const signatures = note.slice(split + 2, -1).split('\n').map(line => {
    if(!line.startsWith(EM_DASH_PREFIX)) {
      throw new Failure('malformed_checkpoint',
        'the checkpoint is not a signed note: a signature line must start with an em dash');
    }
    const [name, encoded, ...rest] = line.slice(EM_DASH_PREFIX.length).split(' ');
    const raw = decodeBase64(encoded ?? '');
    if(rest.length || !name || !raw || raw.length <= 4) {
      throw new Failure('malformed_checkpoint',
        'the checkpoint is not a signed note: a signature line is not name and base64');
    }
    return {name, id: raw.readUInt32BE(0), signature: raw.subarray(4)};
  });
  return {body, signatures};
}

function parseCheckpoint(body) {
  const lines = body.slice(0, -1).split('\n');
  const [origin, size, root] = lines;
  const rootHash = decodeBase64(root ?? '');
  if(lines.length < 3 || !origin || !/^(0|[1-9][0-9]*)$/.test(size ?? '') ||
    !rootHash || rootHash.length !== 32) {
    throw new Failure('malformed_checkpoint',
      'the checkpoint is not a checkpoint: origin, tree size, base64 root hash');
  }
  return {origin, size: BigInt(size), rootHash};
}

function checkpointOf(note, logKey) {
  const verifier = readVerifierKey(logKey, ED25519);
  if(!verifier) {
    throw new Failure('bad_log_key', 'the log\'s key cannot be read');
  }
  const {body, signatures} = openNote(note);
  const signed = signatures.some(s =>
    s.name === verifier.name && s.id === verifier.id && s.signature.length === 64 &&
    verifySignature(null, Buffer.from(body, 'utf8'), verifier.key, s.signature));
  if(!signed) {
    throw new Failure('bad_checkpoint_signature',
      `the checkpoint is not signed by the log's key ${verifier.name}`);
  }
  return {checkpoint: parseCheckpoint(body), body, signatures};
}

function cosigners(body, signatures, witnessKeys) {
  const names = new Set();
  for(const witnessKey of new Set(witnessKeys ?? [])) {
    const witness = readVerifierKey(witnessKey, COSIGNATURE_V1);
    if(!witness) {
      continue;
    }
    const cosigned = signatures.some(s => {
      if(s.name !== witness.name || s.id !== witness.id || s.signature.length !== 72) {
        return false;
      }
      const time = s.signature.readBigUInt64BE(0);
      const message = Buffer.from(`cosignature/v1\ntime ${time}\n${body}`, 'utf8');
      return verifySignature(null, message, witness.key, s.signature.subarray(8));
    });
    if(cosigned) {
      names.add(witness.name);
    }
  }
  return [...names];
}

/** RFC 9162 section 2.1.3.2: whether `proof` leads from `leaf` (index, size) to `root`. */
function includes(leaf, index, size, proof, root) {
  if(index >= size) {
    return false;
  }
  let fn = index;
  let sn = size - 1n;
  let result = leaf;
  for(const sibling of proof) {
    if(sn === 0n) {
      return false;
    }
    if((fn & 1n) === 1n || fn === sn) {
      result = sha256(Buffer.from([0x01]), sibling, result);
      while((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      result = sha256(Buffer.from([0x01]), result, sibling);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && result.equals(root);
}

function proofOf(receipt) {
  const hashes = Array.isArray(receipt?.hashes) ? receipt.hashes.map(decodeBase64) : null;
  if(!Number.isSafeInteger(receipt?.leaf_index) || !Number.isSafeInteger(receipt?.tree_size) ||
    !hashes || hashes.some(hash => !hash || hash.length !== 32)) {
    throw malformed('the inclusion proof needs leaf_index, tree_size and base64 hashes');
  }
  return {index: BigInt(receipt.leaf_index), size: BigInt(receipt.tree_size), hashes};
}

export function checkReceipt({credential, receipt, checkpoint, logKey, witnessKeys, k}) {
  const failures = [];
  const attempt = work => {
    try {
      return work();
    } catch(error) {
      if(!(error instanceof Failure)) {
        throw error;
      }
      failures.push(error);
      return null;
    }
  };
  const embedded = attempt(() => embeddedReceipt(credential ?? {}));
  let leaf = embedded && attempt(() => rebuiltLeaf(credential, embedded));
  if(leaf && leaf.toString('base64') !== embedded.leafHash) {
    failures.push(new Failure('commitment_mismatch',
      'the credential and its receipt do not make the entry the bank logged: the ' +
      'credential was altered, or the receipt\'s salt or record is wrong'));
    leaf = null;
  }
  const opened = attempt(() => checkpointOf(checkpoint, logKey));
  let cosignedBy = [];
  if(opened) {
    const {checkpoint: tree, body, signatures} = opened;
    if(embedded && tree.origin !== embedded.log) {
      failures.push(new Failure('wrong_log',
        `the checkpoint is of log ${tree.origin}, the receipt of log ${embedded.log}`));
    }
    cosignedBy = cosigners(body, signatures, witnessKeys);
    if(cosignedBy.length < k) {
      failures.push(new Failure('too_few_cosignatures',
        `the checkpoint carries ${cosignedBy.length} valid cosignatures of trusted ` +
        `witnesses, fewer than the ${k} required`));
    }
    const proof = leaf && attempt(() => proofOf(receipt));
    if(proof) {
      if(proof.index !== BigInt(embedded.leafIndex) || proof.size !== tree.size) {
        failures.push(new Failure('not_included',
          `the inclusion proof is of leaf ${proof.index} in a tree of ${proof.size}, not ` +
          `of leaf ${embedded.leafIndex} in the checkpoint's tree of ${tree.size}`));
      } else if(!includes(leaf, proof.index, proof.size, proof.hashes, tree.rootHash)) {
        failures.push(new Failure('not_included',
          'the entry is not in the checkpoint\'s tree: the proof leads to another root'));
      }
    }
  }
  return {
    verified: failures.length === 0,
    codes: failures.map(failure => failure.code),
    errors: failures.map(failure => `${failure.code}: ${failure.message}`),
    leafHash: leaf ? leaf.toString('base64') : null,
    treeSize: opened ? Number(opened.checkpoint.size) : null,
    rootHash: opened ? opened.checkpoint.rootHash.toString('base64') : null,
    cosignedBy
  };
}
