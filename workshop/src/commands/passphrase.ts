/**
 * Pulumi's passphrase secrets provider, as its source does it
 * (pulumi/pulumi pkg/secrets/passphrase/manager.go and
 * sdk/go/common/resource/config/crypt.go): a key from PBKDF2-SHA256
 * (1,000,000 iterations, 32 bytes) of the passphrase and an 8-byte salt;
 * values sealed with AES-256-GCM under a 12-byte nonce, written
 * `v1:<nonce>:<ciphertext+tag>` (base64). A stack file's `encryptionsalt` is
 * `v1:<salt>:` followed by the word "pulumi" sealed that way: the CLI checks a
 * passphrase by opening it, and writes a new salt only when there is none.
 */
import { createCipheriv, createDecipheriv, pbkdf2Sync, randomBytes } from 'node:crypto';

const ITERATIONS = 1_000_000;

function keyOf(passphrase: string, salt: Buffer): Buffer {
  return pbkdf2Sync(passphrase, salt, ITERATIONS, 32, 'sha256');
}

function seal(key: Buffer, plaintext: string): string {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `v1:${nonce.toString('base64')}:${sealed.toString('base64')}`;
}

function open(key: Buffer, value: string): string {
  const [version, nonce, sealed] = value.split(':');
  if (version !== 'v1' || !nonce || !sealed) throw new Error(`not a v1 secret: "${value}"`);
  const bytes = Buffer.from(sealed, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonce, 'base64'));
  decipher.setAuthTag(bytes.subarray(bytes.length - 16));
  return Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - 16)), decipher.final()]).toString('utf8');
}

/** A new `encryptionsalt` for a stack file, for this passphrase. */
export function makeEncryptionSalt(passphrase: string): string {
  const salt = randomBytes(8);
  return `v1:${salt.toString('base64')}:${seal(keyOf(passphrase, salt), 'pulumi')}`;
}

/** The key of a stack file's `encryptionsalt`, or an error when the passphrase does not open it. */
export function keyOfSalt(passphrase: string, encryptionSalt: string): Buffer {
  const [version, salt] = encryptionSalt.split(':');
  if (version !== 'v1' || !salt) throw new Error(`malformed encryptionsalt: "${encryptionSalt}"`);
  const key = keyOf(passphrase, Buffer.from(salt, 'base64'));
  let word: string;
  try {
    word = open(key, encryptionSalt.slice(encryptionSalt.indexOf(':', 3) + 1));
  } catch {
    throw new Error('incorrect passphrase');
  }
  if (word !== 'pulumi') throw new Error('incorrect passphrase');
  return key;
}

/** A `secure:` value of a stack file, as `pulumi config set --secret` writes it. */
export function encryptConfigValue(key: Buffer, value: string): string {
  return seal(key, value);
}

/** The plain text of a `secure:` value. */
export function decryptConfigValue(key: Buffer, value: string): string {
  return open(key, value);
}

if (require.main === module) {
  console.log(makeEncryptionSalt(process.argv[2] ?? 'workshop'));
}
