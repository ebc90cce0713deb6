/*
 * An independent check of creditbank's checkpoints and its witnesses' cosignatures, written
 * from the public specifications alone (not from the bank's Python), with node:crypto only:
 *
 *  - c2sp.org/signed-note: a note is text ending in a newline, a blank line, then signature
 *    lines "— <name> base64(key ID || signature)"; a verifier key is
 *    "<name>+<hex key ID>+base64(type || public key)"; key ID = SHA-256(name || 0x0A || type ||
 *    public key)[:4]; type 0x01 is Ed25519 over the text.
 *  - c2sp.org/tlog-checkpoint: the text is "<origin>\n<size>\n<base64 root>\n" (+ extensions).
 *  - c2sp.org/tlog-cosignature (cosignature/v1): type 0x04; the signature is the 8-byte
 *    big-endian time || Ed25519 over "cosignature/v1\ntime <time>\n" + the checkpoint text.
 *  - RFC 9162 section 2.1.4.2: verifying a consistency proof between two tree heads.
 *
 * Usage: node interop/checkpoints.mjs < request.json > answer.json, where the request is
 *   {"note": str, "logKey": str, "witnessKeys": [str], "k": int,
 *    "consistency": {"size": int, "rootHash": base64, "proof": [base64]}   (optional: an
 *                    older tree head of the same log and the proof that it grows into this one)}
 * and the answer is
 *   {"verified": bool, "errors": [str], "origin": str|null, "size": int|null,
 *    "rootHash": base64|null, "cosignedBy": [witness names]}.
 * Exit code 0 whatever the verdict; 2 when the request itself cannot be read.
 */
import {createHash, createPublicKey, verify} from 'node:crypto';

const ED25519 = 0x01;
const COSIGNATURE_V1 = 0x04;
const DASH = '\u2014 ';
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const DECIMAL = /^(0|[1-9][0-9]*)$/;
// DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): the raw 32-byte key follows.
const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex');

const sha256 = (...parts) => {
  const hash = createHash('sha256');
  parts.forEach(part => hash.update(part));
  return hash.digest();
};

function base64(text) {
  return typeof text === 'string' && BASE64.test(text) ? Buffer.from(text, 'base64') : null;
}

function keyId(name, type, publicKey) {
  return sha256(Buffer.from(name, 'utf8'), Buffer.from([0x0a, type]), publicKey)
    .subarray(0, 4).readUInt32BE(0);
}

function verifierKey(text, type) {
  // name+hex8+base64: the name has no '+', the base64 may (split at the first two only)
  const first = typeof text === 'string' ? text.indexOf('+') : -1;
  const second = first < 0 ? -1 : text.indexOf('+', first + 1);
  if(second < 0) {
    throw new Error(`not a verifier key: ${text}`);
  }
  const [name, hexId, encoded] = [text.slice(0, first), text.slice(first + 1, second), text.slice(second + 1)];
  const raw = base64(encoded);
  if(!raw || raw.length !== 33 || raw[0] !== type || !/^[0-9a-f]{8}$/.test(hexId)) {
    throw new Error(`not a verifier key of type ${type}: ${text}`);
  }
  const publicKey = raw.subarray(1);
  const id = parseInt(hexId, 16);
  if(keyId(name, type, publicKey) !== id) {
    throw new Error(`the key ID of ${name} does not match its key`);
  }
  const key = createPublicKey({key: Buffer.concat([SPKI_ED25519, publicKey]), format: 'der', type: 'spki'});
  return {name, id, key};
}

function openNote(note) {
  if(typeof note !== 'string' || !note.endsWith('\n')) {
    throw new Error('the note must be text ending in a newline');
  }
  const split = note.lastIndexOf('\n\n');
  if(split < 0) {
    throw new Error('the note has no blank line before its signatures');
  }
  const text = note.slice(0, split + 1);
  const signatures = note.slice(split + 2, -1).split('\n').map(line => {
    if(!line.startsWith(DASH)) {
      throw new Error('a signature line must start with an em dash and a space');
    }
    const [name, encoded, ...rest] = line.slice(DASH.length).split(' ');
    const raw = base64(encoded);
    if(rest.length || !name || !raw || raw.length <= 4) {
      throw new Error(`a signature line is not a name and base64: ${line}`);
    }
    return {name, id: raw.readUInt32BE(0), signature: raw.subarray(4)};
  });
  return {text, signatures};
}

function checkpointOf(text) {
  const lines = text.slice(0, -1).split('\n');
  if(lines.length < 3 || !DECIMAL.test(lines[1])) {
    throw new Error('the note is not a checkpoint: origin, size, root hash');
  }
  const root = base64(lines[2]);
  if(!root || root.length !== 32) {
    throw new Error('the checkpoint\'s root hash is not 32 bytes of base64');
  }
  return {origin: lines[0], size: Number(lines[1]), root};
}

function cosigners(text, signatures, witnessKeys) {
  const names = [];
  for(const witness of witnessKeys) {
    const signed = signatures.some(s => {
      if(s.name !== witness.name || s.id !== witness.id || s.signature.length !== 72) {
        return false;
      }
      const time = s.signature.readBigUInt64BE(0);
      const message = Buffer.from(`cosignature/v1\ntime ${time}\n${text}`, 'utf8');
      return verify(null, message, witness.key, s.signature.subarray(8));
    });
    if(signed && !names.includes(witness.name)) {
      names.push(witness.name);
    }
  }
  return names;
}

// RFC 9162 section 2.1.4.2, step by step.
function consistent(first, second, proof, firstRoot, secondRoot) {
  if(first > second || first === 0) {
    return false;
  }
  if(first === second) {
    return proof.length === 0 && firstRoot.equals(secondRoot);
  }
  if(proof.length === 0) {
    return false;
  }
  let path = proof.slice();
  if((first & (first - 1)) === 0) { // a power of two: the first tree is a node of the proof
    path = [firstRoot, ...path];
  }
  let fn = first - 1;
  let sn = second - 1;
  while(fn & 1) {
    fn >>= 1;
    sn >>= 1;
  }
  let fr = path[0];
  let sr = path[0];
  const node = (left, right) => sha256(Buffer.from([1]), left, right);
  for(const c of path.slice(1)) {
    if(sn === 0) {
      return false;
    }
    if((fn & 1) || fn === sn) {
      fr = node(c, fr);
      sr = node(c, sr);
      if(!(fn & 1)) {
        while(!(fn & 1) && fn !== 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      sr = node(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn === 0 && fr.equals(firstRoot) && sr.equals(secondRoot);
}

export function checkCheckpoint({note, logKey, witnessKeys = [], k = 0, consistency = null}) {
  const answer = {verified: false, errors: [], origin: null, size: null, rootHash: null, cosignedBy: []};
  try {
    const log = verifierKey(logKey, ED25519);
    const witnesses = witnessKeys.map(key => verifierKey(key, COSIGNATURE_V1));
    const {text, signatures} = openNote(note);
    const checkpoint = checkpointOf(text);
    Object.assign(answer, {origin: checkpoint.origin, size: checkpoint.size,
      rootHash: checkpoint.root.toString('base64')});
    if(checkpoint.origin !== log.name) {
      answer.errors.push(`the checkpoint names ${checkpoint.origin}, not the log ${log.name}`);
    }
    const signed = signatures.some(s => s.name === log.name && s.id === log.id &&
      verify(null, Buffer.from(text, 'utf8'), log.key, s.signature));
    if(!signed) {
      answer.errors.push('no valid signature of the log\'s key');
    }
    answer.cosignedBy = cosigners(text, signatures, witnesses);
    if(answer.cosignedBy.length < k) {
      answer.errors.push(`${answer.cosignedBy.length} valid cosignatures; ${k} needed`);
    }
    if(consistency) {
      const proof = (consistency.proof || []).map(base64);
      const older = base64(consistency.rootHash);
      if(!older || proof.some(h => !h || h.length !== 32) ||
         !consistent(consistency.size, checkpoint.size, proof, older, checkpoint.root)) {
        answer.errors.push(`tree ${consistency.size} does not grow into tree ${checkpoint.size}`);
      }
    }
  } catch(error) {
    answer.errors.push(error.message);
  }
  answer.verified = answer.errors.length === 0;
  return answer;
}

async function main() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  let request;
  try {
    request = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch(error) {
    process.stderr.write(`the request is not JSON: ${error.message}\n`);
    process.exit(2);
  }
  process.stdout.write(JSON.stringify(checkCheckpoint(request)) + '\n');
}

await main();
